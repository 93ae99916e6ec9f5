import { describe, expect, it } from "vitest";
import { CLIENT_MESSAGE_TYPES, parseClientMessage } from "#realtime/published/protocol";

const parse = (message: unknown) => parseClientMessage(JSON.stringify(message));

describe("parseClientMessage", () => {
  it("accepts the seed's subscribe example", () => {
    expect(parse({ type: "subscribe", subscriptions: ["agents_only", "metrics_only"] })).toEqual({
      ok: true,
      message: { type: "subscribe", subscriptions: ["agents_only", "metrics_only"] },
    });
  });

  it("explains a frame that is not JSON", () => {
    expect(parseClientMessage("hello")).toMatchObject({ ok: false, error: { code: "invalid_json" } });
  });

  it("names the unknown type and every type it knows", () => {
    const result = parse({ type: "subscrib" });
    expect(result).toMatchObject({ ok: false, error: { code: "unknown_type" } });
    const message = !result.ok ? result.error.message : "";
    expect(message).toContain('"subscrib"');
    for (const type of ["subscribe", "unsubscribe", "join_room", "leave_room", "room_message", "ping", "replay"]) {
      expect(message).toContain(type);
    }
    expect(CLIENT_MESSAGE_TYPES).toHaveLength(7);
  });

  it("names the bad field of a known type", () => {
    const result = parse({ type: "subscribe", subscriptions: ["tasks", "gossip"] });
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_field", fields: [{ field: "subscriptions.1" }] } });
  });

  describe("rooms", () => {
    it.each([
      [{ type: "join_room", room: "lobby" }],
      [{ type: "leave_room", room: "war-room.2026_q4" }],
      [{ type: "room_message", room: "lobby", message: "gm 🚀" }],
    ])("accepts %j as it is", (message) => {
      expect(parse(message)).toEqual({ ok: true, message });
    });

    it.each(["", "-lobby", "lobby room", "room#1", "x".repeat(65), "lobby/../admin"])(
      "refuses the room name %j on `room`",
      (room) => {
        const result = parse({ type: "join_room", room });
        expect(result).toMatchObject({ ok: false, error: { code: "invalid_field", fields: [{ field: "room" }] } });
      },
    );

    it("accepts a room name of exactly 64 characters", () => {
      expect(parse({ type: "join_room", room: "x".repeat(64) })).toMatchObject({ ok: true });
    });

    it("refuses an empty room_message and one over 4000 characters, on `message`", () => {
      for (const message of ["", "x".repeat(4_001)]) {
        expect(parse({ type: "room_message", room: "lobby", message })).toMatchObject({
          ok: false,
          error: { code: "invalid_field", fields: [{ field: "message" }] },
        });
      }
    });
  });

  describe("replay", () => {
    it("accepts a replay from a seq, with topics and rooms", () => {
      const message = { type: "replay", sinceSeq: 41, topics: ["tasks"], rooms: ["lobby"] };
      expect(parse(message)).toEqual({ ok: true, message });
    });

    it("accepts a replay from an instant, with or without an offset", () => {
      for (const sinceTime of ["2026-11-23T10:00:00.000Z", "2026-11-23T12:00:00+02:00"]) {
        expect(parse({ type: "replay", sinceTime })).toEqual({ ok: true, message: { type: "replay", sinceTime } });
      }
    });

    it.each([
      ["both", { sinceSeq: 3, sinceTime: "2026-11-23T10:00:00.000Z" }],
      ["neither", {}],
    ])("refuses %s of sinceSeq and sinceTime, naming sinceSeq", (_, since) => {
      const result = parse({ type: "replay", ...since });
      expect(result).toMatchObject({
        ok: false,
        error: { code: "invalid_field", fields: [{ field: "sinceSeq", message: "give exactly one of sinceSeq or sinceTime" }] },
      });
    });

    it("names a bad room inside `rooms` by its position", () => {
      const result = parse({ type: "replay", sinceSeq: 0, rooms: ["lobby", "no spaces"] });
      expect(result).toMatchObject({ ok: false, error: { code: "invalid_field", fields: [{ field: "rooms.1" }] } });
    });

    it("refuses a sinceTime that is not an ISO instant", () => {
      const result = parse({ type: "replay", sinceTime: "yesterday" });
      expect(result).toMatchObject({ ok: false, error: { code: "invalid_field", fields: [{ field: "sinceTime" }] } });
    });
  });
});
