import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "#shared/clock";
import { envContract, envVar } from "#shared/env-contract";
import type { Caller } from "#shared/identity";
import { TasksTablesEnvironment } from "./tables-environment";
import { SCHEDULING_STRATEGIES, SchedulingStrategy } from "../domain/scheduling";
import { type SubmitResult, submitTask } from "../domain/submit-task";
import { SubmitTaskRequest } from "../domain/task";
import { DynamoDbTaskStats } from "../adapters/dynamodb-task-stats";
import { DynamoDbTaskStore } from "../adapters/dynamodb-task-store";
import { StatsBackedAdmission, StatsBackedChooser } from "../adapters/stats-backed-scheduling";

/** The strategies a submitter can be configured with (the stage config's `schedulingStrategy`). */
export { SchedulingStrategy };

/**
 * What a process that submits tasks from inside the swarm (an agent handing work on) is started
 * with: the construct writes it with `toEnvironment`, the process reads it with `read`.
 */
export const SubmitterEnvironment = envContract({
  ...TasksTablesEnvironment.vars,
  MAX_QUEUE_DEPTH: envVar.int({ min: 1 }),
  QUEUED_TTL_SECONDS: envVar.int({ min: 1 }),
  SCHEDULING_STRATEGY: envVar.oneOf(SCHEDULING_STRATEGIES),
});

export interface SystemSubmitterOptions {
  readonly tasksTable: string;
  readonly statsTable: string;
  readonly maxQueueDepth: number;
  readonly queuedTtlSeconds: number;
  /** The stage's `schedulingStrategy`: how a task that names a capability gets its agent type, as on `POST /api/tasks`. */
  readonly schedulingStrategy: SchedulingStrategy;
  /** @default 204_800 (the API's limit) */
  readonly maxPayloadBytes?: number;
}

/** Submits a task on behalf of a component (a schedule, an agent handing work on) rather than a user. */
export type SystemSubmitter = (request: SubmitTaskRequest | Record<string, unknown>) => Promise<SubmitResult>;

/**
 * Submits tasks from inside the swarm with the same rules as `POST /api/tasks`: validated,
 * idempotent by key, refused when the target queue is full, and placed by the stage's
 * scheduling strategy when a task names a capability. `caller` names the component, so a
 * task's `submittedBy` says which agent or schedule asked for it.
 *
 * @example
 * const submit = systemSubmitter(db, systemCaller("metrics-review-schedule"), {
 *   tasksTable, statsTable, maxQueueDepth: 10_000, queuedTtlSeconds: 900, schedulingStrategy: "adaptive",
 * });
 * await submit({ type: "metrics.review", capability: "metrics-review", priority: "low" });
 */
export function systemSubmitter(db: DynamoDBDocumentClient, caller: Caller, options: SystemSubmitterOptions): SystemSubmitter {
  const stats = new DynamoDbTaskStats(db, options.statsTable);
  const deps = {
    store: new DynamoDbTaskStore(db, options.tasksTable),
    clock: systemClock,
    limits: { maxPayloadBytes: options.maxPayloadBytes ?? 204_800, queuedTtlSeconds: options.queuedTtlSeconds },
    chooser: new StatsBackedChooser(stats, options.schedulingStrategy),
    admission: new StatsBackedAdmission(stats, options.maxQueueDepth),
    // Diagnostics are the admins' (TASK_TYPES); a component never submits them.
    diagnosticsEnabled: false,
  };
  return (request) => submitTask(SubmitTaskRequest.parse(request), caller, deps);
}

/** The identity a component submits as. */
export const systemCaller = (component: string): Caller => ({
  sub: `system:${component}`,
  username: component,
  roles: ["operator"],
  system: true,
});
