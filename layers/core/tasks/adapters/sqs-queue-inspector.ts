import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { AgentType } from "#core/agents/domain/agent-types";
import type { QueueDepth, QueueInspector } from "../domain/ports";
import type { Priority } from "../domain/task";
import type { QueueUrls } from "./queue-urls";

/** Reads a work queue's and its dead-letter queue's depths from SQS (approximate, as SQS counts). */
export class SqsQueueInspector implements QueueInspector {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: QueueUrls,
    private readonly deadLetterUrls: QueueUrls,
  ) {}

  async depth(agentType: AgentType, priority: Priority): Promise<QueueDepth> {
    const attributes = async (url: string) =>
      (
        await this.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: [
              "ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed",
            ],
          }),
        )
      ).Attributes ?? {};
    const [queue, dlq] = await Promise.all([
      attributes(this.queueUrls[agentType][priority]),
      attributes(this.deadLetterUrls[agentType][priority]),
    ]);
    const n = (value: string | undefined) => Number(value ?? 0);
    return {
      visible: n(queue.ApproximateNumberOfMessages),
      inFlight: n(queue.ApproximateNumberOfMessagesNotVisible),
      delayed: n(queue.ApproximateNumberOfMessagesDelayed),
      deadLetters: n(dlq.ApproximateNumberOfMessages),
    };
  }
}
