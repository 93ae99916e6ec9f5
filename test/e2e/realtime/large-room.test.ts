import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { PresenceSummaryData } from "#realtime/published/protocol";
import { PRESENCE_POLICY } from "#realtime/published/room-rules";
import { joinAll, openCrowd } from "../../../scripts/local/crowd";
import type { Frame, WsClient } from "../../../scripts/local/ws-client";
import { outputs } from "../support/api";

const MEMBERS = 500;
let clients: WsClient[] = [];
afterAll(() => {
  for (const client of clients) client.close();
});

const presenceIn = (room: string) => (frame: Frame) => frame.type === "presence" && frame.data.room === room;

describe("a room of 500 members (issue 14)", () => {
  it("answers every join, coalesces presence past the per-change size, and delivers one message to all", async () => {
    // GIVEN 500 connections over crowd users
    clients = await openCrowd(outputs(), MEMBERS);
    const room = `hall-${randomUUID().slice(0, 8)}`;

    // WHEN they all join, 25 joins in flight (each waits for its answer)
    const joins = await joinAll(clients, room, 25, 30_000);

    // THEN every join was answered `joined`, the last with the room's full count
    expect(joins.filter((join) => join.answer !== "joined").map((join) => join.frame?.data ?? join.answer)).toEqual([]);
    const counts = joins.map((join) => Number(join.frame?.data.memberCount));
    expect(Math.max(...counts)).toBe(MEMBERS);
    expect(joins.every((join) => (join.frame?.data.members as unknown[]).length <= PRESENCE_POLICY.membersListed)).toBe(true);

    // AND every member hears the room's final size in a summary, not one frame per join
    const last = clients.at(-1) as WsClient;
    await last.waitFor(
      (f) => presenceIn(room)(f) && f.data.action === "summary" && f.data.memberCount === MEMBERS,
      30_000,
      "the summary with every member",
    );
    const first = clients[0] as WsClient;
    const firstPresence = first.frames.filter(presenceIn(room));
    // Joins up to the per-change size went out one by one (fewer if some joins raced past it);
    // uncoalesced, this member would have heard each of the 500.
    const oneByOne = firstPresence.filter((f) => f.data.action === "joined").length;
    expect(oneByOne).toBeLessThanOrEqual(PRESENCE_POLICY.perChangeUpTo);
    const summaries = firstPresence.filter((f) => f.data.action === "summary");
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.length).toBeLessThan(MEMBERS - PRESENCE_POLICY.perChangeUpTo);
    const announced = summaries.reduce((sum, f) => sum + (f.data as unknown as PresenceSummaryData).counts.joined, 0);
    // At least once: a summary interrupted on the way may announce a join twice, never drop one.
    expect(announced).toBeGreaterThanOrEqual(MEMBERS - PRESENCE_POLICY.perChangeUpTo);

    // AND one room message reaches all 500
    const text = `to-all-${randomUUID()}`;
    first.send({ type: "room_message", room, message: text });
    const arrived = await Promise.allSettled(
      clients.map((client) => client.waitFor((f) => f.type === "room_message" && f.data.message === text, 30_000, text)),
    );
    expect(arrived.filter((outcome) => outcome.status === "rejected")).toHaveLength(0);
  }, 300_000);
});
