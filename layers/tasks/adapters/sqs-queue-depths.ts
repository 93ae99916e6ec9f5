import { GetQueueAttributesCommand, GetQueueUrlCommand, type QueueAttributeName, type SQSClient } from "@aws-sdk/client-sqs";
import type { AgentType } from "#kernel/agent-catalog";
import type { QueueUrls } from "../published/queue-urls";
import type { QueueDepth, QueueInspector } from "../domain/ports";
import type { Priority } from "#kernel/task-vocabulary";

/** Raised when a work queue has no dead-letter queue to read (its redrive policy is missing or unreadable). */
export class DeadLetterQueueNotFoundError extends Error {
  constructor(
    readonly queueUrl: string,
    why: string,
  ) {
    super(`cannot find the dead-letter queue of ${queueUrl}: ${why}`);
    this.name = "DeadLetterQueueNotFoundError";
  }
}

/**
 * Reads a work queue's depth and its dead-letter queue's (approximate, as SQS counts), from the
 * work queues' URLs alone: each dead-letter queue is found once through its work queue's redrive
 * policy. Why: a Lambda's environment holds at most 4 KB, and the twenty work-queue URLs take
 * about 2.7 KB of it on AWS; their twenty dead-letter URLs would not fit beside them.
 */
export class SqsQueueDepths implements QueueInspector {
  private readonly deadLetterUrls = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: QueueUrls,
  ) {}

  async depth(agentType: AgentType, priority: Priority): Promise<QueueDepth> {
    const queueUrl = this.queueUrls[agentType][priority];
    const [queue, deadLetterUrl] = await Promise.all([
      this.attributes(queueUrl, [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ]),
      this.deadLetterUrlOf(queueUrl),
    ]);
    const dlq = await this.attributes(deadLetterUrl, ["ApproximateNumberOfMessages"]);
    const n = (value: string | undefined) => Number(value ?? 0);
    return {
      visible: n(queue.ApproximateNumberOfMessages),
      inFlight: n(queue.ApproximateNumberOfMessagesNotVisible),
      delayed: n(queue.ApproximateNumberOfMessagesDelayed),
      deadLetters: n(dlq.ApproximateNumberOfMessages),
    };
  }

  private async attributes(url: string, names: QueueAttributeName[]): Promise<Record<string, string>> {
    const { Attributes } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
    return Attributes ?? {};
  }

  /** A queue's dead-letter queue never changes, so it is looked up once per container. */
  private deadLetterUrlOf(queueUrl: string): Promise<string> {
    let url = this.deadLetterUrls.get(queueUrl);
    if (!url) {
      url = this.lookUpDeadLetterUrl(queueUrl);
      // A failed lookup is not remembered: the next snapshot tries again.
      url.catch(() => this.deadLetterUrls.delete(queueUrl));
      this.deadLetterUrls.set(queueUrl, url);
    }
    return url;
  }

  private async lookUpDeadLetterUrl(queueUrl: string): Promise<string> {
    const { RedrivePolicy } = await this.attributes(queueUrl, ["RedrivePolicy"]);
    if (!RedrivePolicy) throw new DeadLetterQueueNotFoundError(queueUrl, "it has no redrive policy");
    let target: unknown;
    try {
      target = (JSON.parse(RedrivePolicy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    } catch {
      throw new DeadLetterQueueNotFoundError(queueUrl, "its redrive policy is not JSON");
    }
    // arn:<partition>:sqs:<region>:<account>:<queue name>
    const parts = typeof target === "string" ? target.split(":") : [];
    const [owner, name] = [parts[4], parts[5]];
    if (parts.length !== 6 || !owner || !name) throw new DeadLetterQueueNotFoundError(queueUrl, `bad target ${String(target)}`);
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner }));
    if (!QueueUrl) throw new DeadLetterQueueNotFoundError(queueUrl, `no URL for ${name}`);
    return QueueUrl;
  }
}
