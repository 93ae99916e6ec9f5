import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mapWithConcurrency } from "#shared/concurrency";
import { DynamoDbTaskQuery } from "#tasks/adapters/dynamodb-task-query";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { SqsTimerQueue } from "#tasks/adapters/sqs-timer-queue";
import { SqsWorkQueue } from "#tasks/adapters/sqs-work-queue";
import type { TaskQuery, TaskStore, TimerQueue, WorkQueue } from "#tasks/domain/ports";
import { dispatchFor } from "#tasks/domain/task-events";
import { timersFor } from "#tasks/domain/task-timers";
import type { TaskStatus } from "#kernel/task-vocabulary";
import type { LocalOutputs } from "./outputs";

/** The statuses a task can wait in for a message: work (queued) or a timer (running, timed out). */
const UNFINISHED: readonly TaskStatus[] = ["queued", "running", "timed_out"];

export interface ResentWork {
  /** Queued tasks whose work message (and expiry timer) was sent again. */
  readonly queued: number;
  /** Running or timed-out tasks whose lease or recovery timer was sent again. */
  readonly timers: number;
}

export interface OutboxPorts {
  readonly query: TaskQuery;
  readonly store: TaskStore;
  readonly work: WorkQueue;
  readonly timers: TimerQueue;
}

/**
 * Sends again, for every unfinished task, the messages its last stored change called for — as
 * if the tasks table's stream had just delivered that change (`dispatchFor` and `timersFor`
 * with no previous image). The emulator does not save stream records, so changes stored but not
 * yet relayed when it stopped are gone after a restore: their tasks would wait `queued` with no
 * work message, or `running` with no lease timer, forever. A task whose message did survive (on
 * a persisted queue) gets a second one, which is harmless: an agent claims a task only while it
 * is queued for that attempt, so the duplicate runs nothing (ADR 0004), and a timer for a
 * task that moved on means nothing. Events and counters are not repeated.
 *
 * @example
 * const { queued, timers } = await resendUnfinishedWork(sqsPorts(outputs));
 */
export async function resendUnfinishedWork(ports: OutboxPorts, now: Date = new Date()): Promise<ResentWork> {
  let queued = 0;
  let timers = 0;
  for (const status of UNFINISHED) {
    let cursor: string | undefined;
    do {
      const page = await ports.query.list({ status }, { limit: 100, ...(cursor ? { cursor } : {}) });
      const results = await mapWithConcurrency(page.items, 10, async ({ taskId }) => {
        const task = await ports.store.get(taskId);
        if (!task || task.status !== status) return;
        const dispatch = dispatchFor(undefined, task, now);
        if (dispatch) {
          await ports.work.send(dispatch.message, { delaySeconds: dispatch.delaySeconds });
          queued += 1;
        }
        for (const timer of timersFor(undefined, task)) {
          await ports.timers.schedule(timer, now);
          if (!dispatch) timers += 1;
        }
      });
      const failed = results.filter((result) => result.status === "rejected");
      if (failed.length > 0) {
        throw new Error(`could not resend the work of ${failed.length} ${status} task(s)`, { cause: failed[0]?.reason });
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return { queued, timers };
}

/** The ports over the deployed tables and queues, and a way to close their clients. */
export function deployedOutboxPorts(outputs: LocalOutputs): OutboxPorts & { close(): void } {
  const config = { endpoint: outputs.endpoint, region: outputs.region, requestHandler: { requestTimeout: 5_000 } };
  const dynamodb = new DynamoDBClient(config);
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient(config);
  return {
    query: new DynamoDbTaskQuery(db, outputs.TasksTableName),
    store: new DynamoDbTaskStore(db, outputs.TasksTableName),
    work: new SqsWorkQueue(sqs, outputs.WorkQueueUrls),
    timers: new SqsTimerQueue(sqs, outputs.TimerQueueUrl),
    close: () => {
      db.destroy();
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}
