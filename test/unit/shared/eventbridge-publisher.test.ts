import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { EventBridgePublisher, EventsNotPublishedError, UnpublishableEventError } from "#shared/adapters/eventbridge-publisher";
import { EVENT_SOURCES, type DomainEvent } from "#kernel/bus/domain-event";
import { mayPublish, PUBLISHED_DETAIL_TYPES } from "#kernel/bus/catalog";

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

  it("refuses, before any call, an event its source does not announce (IAM would refuse it on AWS)", async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const forged: DomainEvent = { source: EVENT_SOURCES.detection, detailType: "SystemAlert", detail: {} };
    await expect(publisher.publish([event(1), forged])).rejects.toThrow(UnpublishableEventError);
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(0);
    // publishEach names the refused entry and still puts the others.
    const failures = await publisher.publishEach([
      { id: "ok", item: event(2) },
      { id: "forged", item: forged },
    ]);
    expect(failures.map((f) => [f.id, f.cause instanceof UnpublishableEventError])).toEqual([["forged", true]]);
    expect(mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([1]);
  });
});

describe("PUBLISHED_DETAIL_TYPES", () => {
  it("lets a type shared by contexts (SystemAlert) be put by each that announces it, and no other", () => {
    const alerting = Object.entries(PUBLISHED_DETAIL_TYPES)
      .filter(([, types]) => (types as readonly string[]).includes("SystemAlert"))
      .map(([source]) => source)
      .sort();
    expect(alerting).toEqual(["tge-swarm.agents", "tge-swarm.monitoring", "tge-swarm.realtime", "tge-swarm.tasks"]);
    expect(mayPublish(EVENT_SOURCES.tasks, "TaskUpdated")).toBe(true);
    expect(mayPublish(EVENT_SOURCES.agents, "TaskUpdated")).toBe(false);
  });
});
