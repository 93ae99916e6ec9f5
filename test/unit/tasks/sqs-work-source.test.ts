import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SqsWorkSource } from "#tasks/adapters/sqs-work-source";
import type { ReceivedWork } from "#tasks/domain/ports";

const sqsMock = mockClient(SQSClient);
const URLS = { critical: "q/critical", high: "q/high", normal: "q/normal", low: "q/low" };
const work = (n: number, priority: ReceivedWork["priority"] = "normal"): ReceivedWork => ({
  messageId: `m${n}`,
  body: "{}",
  receiptHandle: `rh${n}`,
  priority,
  receiveCount: 1,
});

beforeEach(() => {
  sqsMock.reset();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SqsWorkSource settling", () => {
  it("acknowledges messages settled together with one DeleteMessageBatch per queue", async () => {
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const source = new SqsWorkSource(new SQSClient({}), URLS, { windowMs: 10 });

    const settled = Promise.all([
      source.acknowledge(work(1)),
      source.acknowledge(work(2)),
      source.acknowledge(work(3, "critical")),
    ]);
    await vi.advanceTimersByTimeAsync(10);
    await settled;

    const calls = sqsMock
      .commandCalls(DeleteMessageBatchCommand)
      .map((c) => [c.args[0].input.QueueUrl, c.args[0].input.Entries?.map((e) => e.ReceiptHandle)]);
    expect(calls).toEqual([
      ["q/normal", ["rh1", "rh2"]],
      ["q/critical", ["rh3"]],
    ]);
  });

  it("fails exactly the acknowledgement SQS refused", async () => {
    sqsMock.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: "0" }],
      Failed: [{ Id: "1", Code: "ReceiptHandleIsInvalid", SenderFault: true }],
    });
    const source = new SqsWorkSource(new SQSClient({}), URLS, { windowMs: 10 });

    const outcomes = Promise.allSettled([source.acknowledge(work(1)), source.acknowledge(work(2))]);
    await vi.advanceTimersByTimeAsync(10);

    const [first, second] = await outcomes;
    expect(first?.status).toBe("fulfilled");
    expect(second?.status === "rejected" && String(second.reason)).toContain("ReceiptHandleIsInvalid");
  });

  it("releases and extends through one ChangeMessageVisibilityBatch, each with its own timeout", async () => {
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const source = new SqsWorkSource(new SQSClient({}), URLS, { windowMs: 10 });

    const settled = Promise.all([source.release(work(1)), source.extend(work(2), 60)]);
    await vi.advanceTimersByTimeAsync(10);
    await settled;

    expect(sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries)).toEqual([
      [
        { Id: "0", ReceiptHandle: "rh1", VisibilityTimeout: 0 },
        { Id: "1", ReceiptHandle: "rh2", VisibilityTimeout: 60 },
      ],
    ]);
  });
});
