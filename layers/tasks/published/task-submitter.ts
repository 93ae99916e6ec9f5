import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "#shared/clock";
import type { Caller } from "#shared/identity";
import { type SubmitResult, submitTask } from "../domain/submit-task";
import { SubmitTaskRequest } from "../domain/task";
import { DynamoDbTaskStats } from "../adapters/dynamodb-task-stats";
import { DynamoDbTaskStore } from "../adapters/dynamodb-task-store";
import { StatsBackedAdmission, StatsBackedChooser } from "../adapters/stats-backed-scheduling";

export interface SystemSubmitterOptions {
  readonly tasksTable: string;
  readonly statsTable: string;
  readonly maxQueueDepth: number;
  readonly queuedTtlSeconds: number;
  /** @default 204_800 (the API's limit) */
  readonly maxPayloadBytes?: number;
}

/** Submits a task on behalf of a component (a schedule, an agent handing work on) rather than a user. */
export type SystemSubmitter = (request: SubmitTaskRequest | Record<string, unknown>) => Promise<SubmitResult>;

/**
 * Submits tasks from inside the swarm with the same rules as `POST /api/tasks`: validated,
 * idempotent by key, refused when the target queue is full. `caller` names the component, so
 * a task's `submittedBy` says which agent or schedule asked for it.
 */
export function systemSubmitter(db: DynamoDBDocumentClient, caller: Caller, options: SystemSubmitterOptions): SystemSubmitter {
  const stats = new DynamoDbTaskStats(db, options.statsTable);
  const deps = {
    store: new DynamoDbTaskStore(db, options.tasksTable),
    clock: systemClock,
    limits: { maxPayloadBytes: options.maxPayloadBytes ?? 204_800, queuedTtlSeconds: options.queuedTtlSeconds },
    chooser: new StatsBackedChooser(stats, "least_loaded"),
    admission: new StatsBackedAdmission(stats, options.maxQueueDepth),
  };
  return (request) => submitTask(SubmitTaskRequest.parse(request), caller, deps);
}

/** The identity a component submits as. */
export const systemCaller = (component: string): Caller => ({
  sub: `system:${component}`,
  username: component,
  roles: ["operator"],
});
