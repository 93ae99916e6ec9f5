import { describe, expect, it } from "vitest";
import { broadcast } from "#realtime/domain/broadcast";
import { joinFrameParts, MAX_FRAME_BYTES } from "#realtime/domain/frames";
import type { ControlFrame, FramePartData, ServerEvent, ServerEventType } from "#realtime/published/protocol";
import { aConnection, InMemoryConnectionStore, ManualClock, RecordingGateway } from "../../support/in-memory-connections";

const clock = new ManualClock();
const event: ServerEvent = { type: "task_update", seq: 7, timestamp: "2026-11-23T10:00:00.000Z", data: { taskId: "t1" } };
const anEvent = (type: ServerEventType, seq: number, data: unknown = { seq }): ServerEvent => ({
  type,
  seq,
  timestamp: "2026-11-23T10:00:00.000Z",
  data,
});
const seqsSentTo = (gateway: RecordingGateway, connectionId: string) =>
  gateway.sentTo(connectionId).map((frame) => (frame as ServerEvent).seq);

describe("broadcast", () => {
  it("delivers to subscribers of the event's topic and of `all`, once each, and to no one else", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    await connections.subscribe("tasks-only", ["tasks"]);
    await connections.subscribe("everything", ["all", "tasks"]);
    await connections.subscribe("agents-only", ["agents_only"]);
    const gateway = new RecordingGateway();
    // WHEN
    const report = await broadcast(event, { connections, gateway, clock, concurrency: 2 });
    // THEN
    expect(gateway.sentTo("tasks-only")).toEqual([event]);
    expect(gateway.sentTo("everything")).toEqual([event]);
    expect(gateway.sentTo("agents-only")).toEqual([]);
    expect(report).toMatchObject({ recipients: 2, delivered: 2, gone: 0, failed: [] });
  });

  it("gives two connections with different subscriptions exactly the events each subscribed to", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    await connections.subscribe("ops", ["tasks", "alerts"]);
    await connections.subscribe("fleet", ["agents_only", "detections"]);
    const gateway = new RecordingGateway();
    const deps = { connections, gateway, clock, concurrency: 4 };
    // WHEN
    await broadcast(anEvent("task_update", 1), deps);
    await broadcast(anEvent("agent_status", 2), deps);
    await broadcast(anEvent("system_alert", 3), deps);
    await broadcast(anEvent("tge_detected", 4), deps);
    await broadcast(anEvent("metrics", 5), deps);
    // THEN
    expect(seqsSentTo(gateway, "ops")).toEqual([1, 3]);
    expect(seqsSentTo(gateway, "fleet")).toEqual([2, 4]);
  });

  it("gives an `all` subscriber every topic's event exactly once, even with direct subscriptions too", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    await connections.subscribe("everything", ["all", "tasks", "metrics_only", "alerts"]);
    const gateway = new RecordingGateway();
    const types: ServerEventType[] = [
      "agent_status",
      "task_update",
      "metrics",
      "optimization_proposed",
      "optimization_result",
      "system_alert",
      "tge_detected",
    ];
    // WHEN
    for (const [index, type] of types.entries()) {
      await broadcast(anEvent(type, index + 1), { connections, gateway, clock, concurrency: 4 });
    }
    // THEN
    expect(seqsSentTo(gateway, "everything")).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("sends a room's events to that room's members only, not to other rooms or to `all`", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    const member = (connectionId: string) => ({ connectionId, sub: "s", username: "u", joinedAt: "2026-11-23T10:00:00.000Z" });
    await connections.join("lobby", member("in-lobby-1"));
    await connections.join("lobby", member("in-lobby-2"));
    await connections.join("war-room", member("in-war-room"));
    await connections.subscribe("everything", ["all"]);
    const gateway = new RecordingGateway();
    const message = anEvent("room_message", 9, { room: "lobby", from: { sub: "s", username: "u" }, message: "hi" });
    // WHEN
    const report = await broadcast(message, { connections, gateway, clock, concurrency: 4 });
    // THEN
    expect(gateway.sentTo("in-lobby-1")).toEqual([message]);
    expect(gateway.sentTo("in-lobby-2")).toEqual([message]);
    expect(gateway.sentTo("in-war-room")).toEqual([]);
    expect(gateway.sentTo("everything")).toEqual([]);
    expect(report.recipients).toBe(2);
  });

  it("removes exactly the connections that are gone", async () => {
    const connections = new InMemoryConnectionStore();
    for (const id of ["a", "b", "c"]) await connections.subscribe(id, ["tasks"]);
    const report = await broadcast(event, {
      connections,
      gateway: new RecordingGateway(new Set(["b"])),
      clock,
      concurrency: 10,
    });
    expect(report).toMatchObject({ delivered: 2, gone: 1 });
    expect((await connections.subscribers("tasks")).sort()).toEqual(["a", "c"]);
  });

  it("hands a gone connection to onGone, that one only, and still delivers to the rest", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    for (const id of ["a", "b", "c"]) await connections.subscribe(id, ["tasks"]);
    const gateway = new RecordingGateway(new Set(["b"]));
    const handedOver: string[] = [];
    // WHEN
    const report = await broadcast(event, {
      connections,
      gateway,
      clock,
      concurrency: 1,
      onGone: async (connectionId) => void handedOver.push(connectionId),
    });
    // THEN
    expect(handedOver).toEqual(["b"]);
    expect(gateway.sentTo("a")).toEqual([event]);
    expect(gateway.sentTo("c")).toEqual([event]);
    expect(report).toMatchObject({ recipients: 3, delivered: 2, gone: 1, failed: [] });
    // onGone replaces the default removal, so the store is untouched.
    expect((await connections.subscribers("tasks")).sort()).toEqual(["a", "b", "c"]);
  });

  it("reports failed deliveries without stopping the others or dropping the connection", async () => {
    const connections = new InMemoryConnectionStore();
    for (const id of ["a", "b", "c"]) await connections.subscribe(id, ["tasks"]);
    const gateway = new RecordingGateway(new Set(), new Set(["a"]));
    const report = await broadcast(event, { connections, gateway, clock, concurrency: 1 });
    expect(report.delivered).toBe(2);
    expect(report.failed).toEqual([{ connectionId: "a", error: new Error("throttled") }]);
    expect(await connections.subscribers("tasks")).toContain("a");
  });

  it("sends an event over the frame limit as frame_part frames that join back to the event", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    await connections.put(aConnection("c1"));
    await connections.subscribe("c1", ["tasks"]);
    const gateway = new RecordingGateway();
    const big = anEvent("task_update", 11, { taskId: "t1", log: "détection 🚀 ".repeat(8_000) });
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(MAX_FRAME_BYTES);
    // WHEN
    const report = await broadcast(big, { connections, gateway, clock, concurrency: 1 });
    // THEN
    const frames = gateway.sentTo("c1") as ControlFrame<FramePartData>[];
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((frame) => frame.type === "frame_part")).toBe(true);
    expect(gateway.wire.get("c1")?.every((wire) => Buffer.byteLength(wire) <= MAX_FRAME_BYTES)).toBe(true);
    expect(JSON.parse(joinFrameParts(frames.map((frame) => frame.data)))).toEqual(big);
    expect(report).toMatchObject({ recipients: 1, delivered: 1 });
  });
});
