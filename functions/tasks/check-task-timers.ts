import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { handleDueTimer } from "#tasks/domain/handle-due-timer";
import { TaskTimer } from "#tasks/domain/task-timers";
import { timerPorts } from "./wiring";

const processor = new BatchProcessor(EventType.SQS);

/** One due timer from the timers queue: time out, recover or expire its task, or send it on. */
async function check(record: SQSRecord): Promise<void> {
  // A message that is not a timer cannot become one on retry: let it fail toward the DLQ.
  const timer = TaskTimer.parse(JSON.parse(record.body));
  const handled = await handleDueTimer(timer, timerPorts(), new Date());
  switch (handled.kind) {
    case "acted":
      metrics.addMetric(`Tasks_${handled.event}`, "Count", 1);
      logger.info("timer acted", { ...timer, event: handled.event, status: handled.status, attempt: handled.attempt });
      return;
    case "moot":
      // Most timers end so: a lease timer of a task that completed meanwhile.
      logger.debug("timer moot", { ...timer, why: handled.why });
      return;
    case "sent_on":
      logger.debug("timer sent on", { ...timer, nextDueAt: handled.dueAt });
  }
}

export const handler = instrumented(
  (event: SQSEvent, context: Context) => processPartialResponse(event, check, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
