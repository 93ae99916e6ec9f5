import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { sqsClient } from "#shared/adapters/aws-clients";
import { readEnv } from "#shared/env";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { SqsTimerQueue } from "#tasks/adapters/sqs-timer-queue";
import { IllegalTransitionError, planTransition } from "#tasks/domain/task-state-machine";
import { checkTimer, TaskTimer } from "#tasks/domain/task-timers";
import { retryPolicy, taskStore } from "./wiring";

const env = readEnv(z.object({ TIMER_QUEUE_URL: z.url(), LEASE_GRACE_SECONDS: z.coerce.number().int().min(0) }));
const timers = new SqsTimerQueue(sqsClient(), env.TIMER_QUEUE_URL);
const processor = new BatchProcessor(EventType.SQS);

/**
 * One due timer: time out an attempt whose claim lapsed (its agent died or hung) or that ran far
 * past its timeout, retry or dead-letter an attempt that timed out, expire a task that waited
 * too long in the queue. A timer that finds the task moved on does nothing; one that is not due
 * yet (a renewed lease, a distant expiry) is sent on again.
 */
async function check(record: SQSRecord): Promise<void> {
  // A message that is not a timer cannot become one on retry: let it fail toward the DLQ.
  const timer = TaskTimer.parse(JSON.parse(record.body));
  const now = new Date();
  if (Date.parse(timer.dueAt) > now.getTime() + 1_000) {
    await timers.schedule(timer, now);
    return;
  }
  const outcome = checkTimer(await taskStore().get(timer.taskId), timer, now, env.LEASE_GRACE_SECONDS);
  switch (outcome.kind) {
    case "nothing":
      logger.debug("timer moot", { ...timer, why: outcome.why });
      return;
    case "later":
      await timers.schedule(outcome.timer, now);
      return;
    case "transition":
      try {
        const task = await taskStore().apply(timer.taskId, planTransition(outcome.event, { now, policy: retryPolicy() }));
        metrics.addMetric(`Tasks_${outcome.event.kind}`, "Count", 1);
        logger.info("timer acted", { ...timer, event: outcome.event.kind, status: task.status, attempt: task.attempt });
      } catch (error) {
        if (!(error instanceof IllegalTransitionError)) throw error;
        logger.info("timer moot: the task moved on meanwhile", { ...timer, reason: error.message });
      }
  }
}

export const handler = instrumented(
  (event: SQSEvent, context: Context) => processPartialResponse(event, check, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
