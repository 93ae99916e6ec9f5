import { describe, expect, it } from "vitest";
import { broadcast } from "#realtime/domain/broadcast";
import { deliverBatch, frameFor } from "#realtime/domain/deliver-batch";
import { eventsOfFrame, type ServerEvent, type ServerEventType } from "#realtime/published/protocol";
import { inMemoryPublishDeps, RecordingGateway } from "../../support/in-memory-connections";

const anEvent = (type: ServerEventType, seq: number, data: unknown = { seq }): ServerEvent => ({
  type,
  seq,
  timestamp: "2026-11-23T10:00:00.000Z",
  data,
});
/** What a client reconstructs from the frames it got: every event, in the order they came. */
const reconstructed = (gateway: RecordingGateway, connectionId: string) =>
  gateway.sentTo(connectionId).flatMap((frame) => eventsOfFrame(frame as Parameters<typeof eventsOfFrame>[0]));

describe("deliverBatch", () => {
  it("posts one frame per connection, carrying every event due to it in seq order", async () => {
    // GIVEN three connections with different subscriptions, and a batch of three events
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("tasks", ["tasks"]);
    await deps.connections.subscribe("ops", ["tasks", "alerts"]);
    await deps.connections.subscribe("alerts", ["alerts"]);
    const events = [anEvent("task_update", 43), anEvent("task_update", 41), anEvent("system_alert", 42)];
    // WHEN
    const report = await deliverBatch(events, deps);
    // THEN
    expect(
      gateway(deps)
        .sentTo("tasks")
        .map((f) => (f as { type: string }).type),
    ).toEqual(["batch"]);
    expect(reconstructed(gateway(deps), "tasks").map((e) => e.seq)).toEqual([41, 43]);
    expect(reconstructed(gateway(deps), "ops").map((e) => e.seq)).toEqual([41, 42, 43]);
    // one event due stays a plain event frame, as a client that never heard of `batch` expects
    expect(gateway(deps).sentTo("alerts")).toEqual([anEvent("system_alert", 42)]);
    expect(report).toMatchObject({ recipients: 3, delivered: 3, frames: 3, events: 6, gone: 0, failed: [] });
  });

  it("reconstructs the same ordered list as one frame per event (the old broadcast)", async () => {
    // GIVEN the same subscribers behind two gateways
    const batched = inMemoryPublishDeps();
    const single = inMemoryPublishDeps();
    for (const deps of [batched, single]) {
      await deps.connections.subscribe("a", ["all"]);
      await deps.connections.subscribe("b", ["tasks", "agents_only"]);
    }
    const events = Array.from({ length: 12 }, (_, i) => anEvent(i % 3 === 0 ? "agent_status" : "task_update", i + 1));
    // WHEN one gets the events as one batch, the other one broadcast per event
    await deliverBatch(events, batched);
    for (const event of events) await broadcast(event, single);
    // THEN each connection has the same events in the same order, in fewer frames
    for (const connectionId of ["a", "b"]) {
      expect(reconstructed(gateway(batched), connectionId)).toEqual(reconstructed(gateway(single), connectionId));
      expect(gateway(batched).sentTo(connectionId)).toHaveLength(1);
    }
    expect(gateway(single).sentTo("a")).toHaveLength(12);
  });

  it("reads each stream's subscribers once per batch, not once per event", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("a", ["tasks"]);
    let reads = 0;
    const subscribers = deps.connections.subscribers.bind(deps.connections);
    deps.connections.subscribers = async (topic) => {
      reads++;
      return subscribers(topic);
    };

    await deliverBatch(
      Array.from({ length: 10 }, (_, i) => anEvent("task_update", i + 1)),
      deps,
    );

    // the stream's own topic and `all`, once each
    expect(reads).toBe(2);
  });

  it("drops a connection that is gone and reports one that failed, still delivering to the rest", async () => {
    const deps = inMemoryPublishDeps({ gateway: new RecordingGateway(new Set(["gone"]), new Set(["broken"])) });
    for (const id of ["gone", "broken", "fine"]) await deps.connections.subscribe(id, ["tasks"]);

    const report = await deliverBatch([anEvent("task_update", 1), anEvent("task_update", 2)], deps);

    expect(report).toMatchObject({ delivered: 1, gone: 1, frames: 3, events: 2 });
    expect(report.failed.map((f) => f.connectionId)).toEqual(["broken"]);
    expect(await deps.connections.subscribers("tasks")).toEqual(expect.not.arrayContaining(["gone"]));
    expect(reconstructed(gateway(deps), "fine").map((e) => e.seq)).toEqual([1, 2]);
  });

  it("does nothing for an empty batch", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("a", ["tasks"]);
    expect(await deliverBatch([], deps)).toMatchObject({ frames: 0, events: 0 });
    expect(gateway(deps).sentTo("a")).toEqual([]);
  });
});

describe("frameFor", () => {
  it("wraps several events in one batch frame sorted by seq, and leaves one event as it is", () => {
    const now = new Date("2026-11-23T10:00:01.000Z");
    expect(frameFor([anEvent("task_update", 1)], now)).toEqual(anEvent("task_update", 1));
    expect(frameFor([anEvent("task_update", 3), anEvent("task_update", 2)], now)).toEqual({
      type: "batch",
      timestamp: now.toISOString(),
      data: { events: [anEvent("task_update", 2), anEvent("task_update", 3)] },
    });
  });
});

function gateway(deps: ReturnType<typeof inMemoryPublishDeps>): RecordingGateway {
  return deps.gateway;
}
