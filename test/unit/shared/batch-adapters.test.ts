import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { EntryRefusedError } from "#shared/adapters/batch-entries";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { sendMessageBatches } from "#shared/adapters/sqs-send-batch";

const sqsMock = mockClient(SQSClient);
const busMock = mockClient(EventBridgeClient);

beforeEach(() => {
  sqsMock.reset();
  busMock.reset();
});

const messages = (count: number, queueUrl = "https://q/a") =>
  Array.from({ length: count }, (_, i) => ({ id: `m${i}`, queueUrl, body: String(i) }));

describe("sendMessageBatches", () => {
  it("sends ten per call, one queue per call, and answers nothing when every entry was sent", async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}` })),
      Failed: [],
    }));

    const failures = await sendMessageBatches(new SQSClient({}), [...messages(12), ...messages(3, "https://q/b")]);

    expect(failures).toEqual([]);
    const calls = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((c) => [c.args[0].input.QueueUrl, c.args[0].input.Entries?.length]);
    expect(calls).toEqual([
      ["https://q/a", 10],
      ["https://q/a", 2],
      ["https://q/b", 3],
    ]);
  });

  it("names exactly the entry SQS refused, with its code", async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.filter((entry) => entry.Id !== "2").map((entry) => ({ Id: entry.Id })),
      Failed: [{ Id: "2", Code: "InternalError", SenderFault: false, Message: "try again" }],
    }));

    const failures = await sendMessageBatches(new SQSClient({}), messages(4));

    expect(failures.map((f) => f.id)).toEqual(["m2"]);
    expect(failures[0]?.cause).toBeInstanceOf(EntryRefusedError);
    expect(String(failures[0]?.cause)).toContain("InternalError");
  });

  it("names every entry of a call that failed as a whole, with the call's error as the cause", async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error("connection reset"));

    const failures = await sendMessageBatches(new SQSClient({}), messages(3));

    expect(failures.map((f) => [f.id, (f.cause as Error).message])).toEqual([
      ["m0", "connection reset"],
      ["m1", "connection reset"],
      ["m2", "connection reset"],
    ]);
  });
});

describe("EventBridgePublisher.publishEach", () => {
  const event = (n: number) => ({ id: `e${n}`, item: { source: EVENT_SOURCES.tasks, detailType: "TaskUpdated", detail: { n } } });

  it("puts ten per call and names exactly the entry the bus refused", async () => {
    busMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: input.Entries.length === 10 ? 1 : 0,
      Entries: input.Entries.map((_, i) =>
        input.Entries.length === 10 && i === 4
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }
          : { EventId: `ev${i}` },
      ),
    }));

    const failures = await new EventBridgePublisher(new EventBridgeClient({}), "swarm").publishEach(
      Array.from({ length: 13 }, (_, n) => event(n)),
    );

    expect(busMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 3]);
    expect(failures.map((f) => f.id)).toEqual(["e4"]);
    expect(String(failures[0]?.cause)).toContain("ThrottlingException");
  });
});
