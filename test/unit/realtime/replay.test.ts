import { describe, expect, it } from "vitest";
import { joinFrameParts, MAX_FRAME_BYTES } from "#realtime/domain/frames";
import {
  type ControlFrame,
  type FramePartData,
  REPLAY_LIMIT,
  type ReplayFrameData,
  type ReplayRequest,
  type ServerEvent,
  type ServerEventType,
} from "#realtime/published/protocol";
import { recordEvent } from "#realtime/domain/record-event";
import { replay } from "#realtime/domain/replay";
import { NotARoomMemberError } from "#realtime/domain/rooms";
import { inMemoryPublishDeps } from "../../support/in-memory-connections";

type Deps = ReturnType<typeof inMemoryPublishDeps>;

/** Records events in order, one second apart; answers them with their seq. */
async function history(deps: Deps, events: readonly [ServerEventType, Record<string, unknown>?][]) {
  const recorded: ServerEvent[] = [];
  for (const [type, data = {}] of events) {
    recorded.push(await recordEvent(type, data, deps));
    deps.clock.advance(1_000);
  }
  return recorded;
}
const inRoom = (room: string) => ({ room, from: { sub: "s", username: "u" }, message: `to ${room}` });
const replayFramesSentTo = (deps: Deps, connectionId: string) =>
  (deps.gateway.sentTo(connectionId) as ControlFrame<ReplayFrameData>[]).filter((frame) => frame.type === "replay");
const seqs = (events: readonly ServerEvent[]) => events.map((event) => event.seq);
const request = (fields: Omit<ReplayRequest, "type">): ReplayRequest => ({ type: "replay", ...fields });

async function member(deps: Deps, connectionId: string, room: string) {
  await deps.connections.join(room, { connectionId, sub: "s", username: "u", joinedAt: "2026-11-23T09:00:00.000Z" });
}

describe("replay", () => {
  it("sends exactly the missed events of the connection's topics and rooms after sinceSeq, in seq order", async () => {
    // GIVEN c1 follows tasks and alerts and is in the lobby
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks", "alerts"]);
    await member(deps, "c1", "lobby");
    const all = await history(deps, [
      ["task_update"], //         1 seen
      ["system_alert"], //        2 seen
      ["room_message", inRoom("lobby")], // 3 missed
      ["agent_status"], //        4 not followed
      ["task_update"], //         5 missed
      ["room_message", inRoom("war-room")], // 6 another room
      ["metrics"], //             7 not followed
      ["system_alert"], //        8 missed
      ["room_message", inRoom("lobby")], // 9 missed
    ]);
    // WHEN
    const result = await replay("c1", request({ sinceSeq: 2 }), deps);
    // THEN
    expect(seqs(result.events)).toEqual([3, 5, 8, 9]);
    expect(result.events).toEqual([all[2], all[4], all[7], all[8]]);
    expect(replayFramesSentTo(deps, "c1")).toEqual([
      {
        type: "replay",
        timestamp: deps.clock.now().toISOString(),
        data: { events: result.events, last: true, truncated: false, throughSeq: 9 },
      },
    ]);
  });

  it("sends each event once to an `all` subscriber that also follows a topic, and no other room's events", async () => {
    // GIVEN
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["all", "tasks"]);
    await history(deps, [
      ["task_update"],
      ["agent_status"],
      ["room_message", inRoom("war-room")],
      ["metrics"],
      ["optimization_proposed"],
      ["task_update"],
      ["tge_detected"],
      ["system_alert"],
      ["optimization_result"],
    ]);
    // WHEN
    const result = await replay("c1", request({ sinceSeq: 0 }), deps);
    // THEN
    expect(seqs(result.events)).toEqual([1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it("narrows to the topics and rooms the request names", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks", "alerts"]);
    await member(deps, "c1", "lobby");
    await member(deps, "c1", "ops");
    await history(deps, [["task_update"], ["system_alert"], ["room_message", inRoom("lobby")], ["room_message", inRoom("ops")]]);
    const result = await replay("c1", request({ sinceSeq: 0, topics: ["alerts"], rooms: ["ops"] }), deps);
    expect(seqs(result.events)).toEqual([2, 4]);
  });

  it("replays from an instant: the events at or after sinceTime", async () => {
    // GIVEN events one second apart from 10:00:00
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks"]);
    await member(deps, "c1", "lobby");
    await history(deps, [["task_update"], ["room_message", inRoom("lobby")], ["task_update"], ["room_message", inRoom("lobby")]]);
    // WHEN the client asks from 10:00:01 (written with an offset), the instant of the second event
    const result = await replay("c1", request({ sinceTime: "2026-11-23T11:00:01.000+01:00" }), deps);
    // THEN that event is included
    expect(result.events.map((event) => [event.seq, event.timestamp])).toEqual([
      [2, "2026-11-23T10:00:01.000Z"],
      [3, "2026-11-23T10:00:02.000Z"],
      [4, "2026-11-23T10:00:03.000Z"],
    ]);
    expect(result.throughSeq).toBe(4);
  });

  it("answers nothing missed with one empty last frame that keeps the client's seq", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks"]);
    await history(deps, [["task_update"], ["task_update"]]);
    await replay("c1", request({ sinceSeq: 2 }), deps);
    expect(replayFramesSentTo(deps, "c1").map((frame) => frame.data)).toEqual([
      { events: [], last: true, truncated: false, throughSeq: 2 },
    ]);
  });

  it("returns at most REPLAY_LIMIT events, marked truncated, and a replay from throughSeq gets the rest", async () => {
    // GIVEN more missed events than one replay returns, spread over two topics and a room
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks", "alerts"]);
    await member(deps, "c1", "lobby");
    const kinds: [ServerEventType, Record<string, unknown>?][] = [
      ["task_update"],
      ["system_alert"],
      ["room_message", inRoom("lobby")],
    ];
    const all = await history(
      deps,
      Array.from({ length: REPLAY_LIMIT + 40 }, (_, index) => kinds[index % 3] ?? ["task_update"]),
    );
    // WHEN
    const first = await replay("c1", request({ sinceSeq: 0 }), deps);
    const second = await replay("c1", request({ sinceSeq: first.throughSeq }), deps);
    // THEN
    expect(first.events).toHaveLength(REPLAY_LIMIT);
    expect(first.truncated).toBe(true);
    expect(first.throughSeq).toBe(first.events.at(-1)?.seq);
    expect(seqs(first.events)).toEqual(seqs(all.slice(0, REPLAY_LIMIT)));
    expect(second.truncated).toBe(false);
    expect(seqs(second.events)).toEqual(seqs(all.slice(REPLAY_LIMIT)));
    // and every frame of the first replay told the client to ask again.
    expect(replayFramesSentTo(deps, "c1").filter((frame) => frame.data.truncated)).not.toHaveLength(0);
  });

  it("does not call exactly REPLAY_LIMIT missed events truncated", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks", "alerts"]);
    await history(
      deps,
      Array.from({ length: REPLAY_LIMIT }, (_, index): [ServerEventType] => [index % 2 ? "task_update" : "system_alert"]),
    );
    const result = await replay("c1", request({ sinceSeq: 0 }), deps);
    expect(result).toMatchObject({ truncated: false, throughSeq: REPLAY_LIMIT });
    expect(result.events).toHaveLength(REPLAY_LIMIT);
  });

  it("refuses a room the connection is not in with NotARoomMemberError, before sending anything", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks"]);
    await member(deps, "c1", "lobby");
    await history(deps, [["task_update"], ["room_message", inRoom("war-room")]]);
    const attempt = replay("c1", request({ sinceSeq: 0, rooms: ["lobby", "war-room"] }), deps);
    await expect(attempt).rejects.toBeInstanceOf(NotARoomMemberError);
    await expect(attempt).rejects.toMatchObject({ room: "war-room" });
    expect(deps.gateway.sentTo("c1")).toEqual([]);
  });

  it("splits many events into several replay frames, each within the frame limit, exactly the last one marked last", async () => {
    // GIVEN about 150 KB of missed events
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks"]);
    const all = await history(
      deps,
      Array.from({ length: 300 }, (_, index): [ServerEventType, Record<string, unknown>] => [
        "task_update",
        { taskId: `t${index}`, note: "ü🚀".repeat(120) },
      ]),
    );
    // WHEN
    await replay("c1", request({ sinceSeq: 0 }), deps);
    // THEN
    const wires = deps.gateway.wire.get("c1") ?? [];
    const frames = replayFramesSentTo(deps, "c1");
    expect(frames.length).toBeGreaterThan(3);
    expect(frames).toHaveLength(wires.length); // no frame needed cutting into parts
    for (const wire of wires) expect(Buffer.byteLength(wire, "utf8")).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(frames.map((frame) => frame.data.last)).toEqual([...Array(frames.length - 1).fill(false), true]);
    expect(frames.flatMap((frame) => frame.data.events)).toEqual(all);
    expect(frames.every((frame) => frame.data.throughSeq === 300 && !frame.data.truncated)).toBe(true);
  });

  it("sends an event too big for a frame on its own, as parts that join back to a replay frame", async () => {
    const deps = inMemoryPublishDeps();
    await deps.connections.subscribe("c1", ["tasks"]);
    const [small, huge] = await history(deps, [
      ["task_update", { n: 1 }],
      ["task_update", { log: "日本".repeat(20_000) }],
    ]);
    await replay("c1", request({ sinceSeq: 0 }), deps);
    const sent = deps.gateway.sentTo("c1") as ControlFrame[];
    const parts = sent.filter((frame) => frame.type === "frame_part").map((frame) => frame.data as FramePartData);
    const rebuilt = JSON.parse(joinFrameParts(parts)) as ControlFrame<ReplayFrameData>;
    const whole = [...replayFramesSentTo(deps, "c1"), rebuilt];
    expect(whole.flatMap((frame) => frame.data.events)).toEqual([small, huge]);
    expect(whole.filter((frame) => frame.data.last)).toHaveLength(1);
  });
});
