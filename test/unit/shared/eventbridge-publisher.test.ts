import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { EventBridgePublisher, EventsNotPublishedError } from "#shared/adapters/eventbridge-publisher";
import type { DomainEvent } from "#kernel/bus/domain-event";

const client = new EventBridgeClient({ region: "us-east-1" });
const mock = mockClient(client);
const publisher = new EventBridgePublisher(client, "bus");
const event = (n: number): DomainEvent => ({ source: "tge-swarm.tasks", detailType: "TaskUpdated", detail: { n } });

beforeEach(() => mock.reset());

describe("EventBridgePublisher", () => {
  it("sends events in batches of ten", async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await publisher.publish(Array.from({ length: 23 }, (_, i) => event(i)));
    expect(mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it("fails loudly when EventBridge refuses some entries", async () => {
    mock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: "1" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }],
    });
    await expect(publisher.publish([event(1), event(2)])).rejects.toThrow(EventsNotPublishedError);
  });
});
