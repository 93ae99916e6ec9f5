import { randomUUID } from "node:crypto";
import { joinAll, openCrowd } from "../local/crowd";
import type { LocalOutputs } from "../local/outputs";
import type { Frame } from "../local/ws-client";
import { summaryDelayFor } from "#realtime/published/room-rules";
import { mapWithConcurrency } from "#shared/concurrency";
import { summarize } from "./stats";
import { msToLastArrival, rawPoster } from "./ws-arrivals";

/**
 * One room of `members` connections: the time for all of them to join (sent `inFlight` at a
 * time, each waiting for its answer), beside the same number of `ping` frames at the same
 * concurrency (what any answered frame costs through `$default` on this emulator); then one room
 * message from the first member to the last member's arrival, beside the same frame posted to
 * every member from here with PostToConnection at the broadcaster's 50 in flight, on the same
 * emulator in the same run.
 */
export async function roomsBenchmark(outputs: LocalOutputs, options: { members: number; inFlight: number; messages: number }) {
  const openStarted = performance.now();
  const clients = await openCrowd(outputs, options.members);
  const openMs = performance.now() - openStarted;
  try {
    // The raw baseline of the joins, which also gives the connection ids the raw posts need.
    const pingStarted = performance.now();
    const pings = await mapWithConcurrency(clients, options.inFlight, async (client) => {
      const started = performance.now();
      const id = await client.connectionId();
      return { id, ms: performance.now() - started };
    });
    const pingMs = performance.now() - pingStarted;
    const answered = pings.flatMap((ping) => (ping.status === "fulfilled" ? [ping.value] : []));
    const ids = answered.map((ping) => ping.id);

    const room = `bench-${randomUUID().slice(0, 8)}`;
    const joinStarted = performance.now();
    const joins = await joinAll(clients, room, options.inFlight);
    const joinMs = performance.now() - joinStarted;
    const unanswered = joins.filter((join) => join.answer === "none").length;
    const refused = joins.filter((join) => join.answer === "error").map((join) => join.frame?.data);
    const joinFigures = {
      members: options.members,
      joinsInFlight: options.inFlight,
      openMs: Math.round(openMs),
      allJoinedMs: Math.round(joinMs),
      joinAnswerMs: summarize(joins.map((join) => join.ms)),
      allPingedMs: Math.round(pingMs),
      pingAnswerMs: summarize(answered.map((ping) => ping.ms)),
      unansweredPings: clients.length - ids.length,
      joinsOverPings: Math.round((joinMs / pingMs) * 100) / 100,
      unanswered,
      refused: refused.length,
      firstRefusals: refused.slice(0, 3),
      targets: { allJoinedMs: 30_000, messageToLastMemberMs: 2_000 },
    };
    // A room some members never joined cannot be measured for delivery to all of them.
    if (refused.length + unanswered > 0) return { ...joinFigures, meetsTargets: false };
    // Presence settles after the last join: the last coalesced frame comes one interval later.
    await new Promise((resolve) => setTimeout(resolve, (summaryDelayFor(options.members) + 3) * 1000));
    const presenceFrames = clients.map((client) => client.frames.filter((f) => isPresenceIn(f, room)).length);

    const sender = clients[0];
    if (!sender) throw new Error("no members");
    const messageTo = (text: string) => (f: Frame) => f.type === "room_message" && f.data.message === text;
    const messageRounds: number[] = [];
    // Round 0 of each warms what it measures; it is not counted.
    for (let round = 0; round <= options.messages; round++) {
      const text = `hello-${round}-${randomUUID()}`;
      const ms = await msToLastArrival(clients, messageTo(text), text, () =>
        sender.send({ type: "room_message", room, message: text }),
      );
      if (round > 0) messageRounds.push(ms);
    }

    const post = rawPoster(outputs);
    const rawRounds: number[] = [];
    for (let round = 0; round <= options.messages; round++) {
      const text = `raw-${round}-${randomUUID()}`;
      const frame = { type: "room_message", seq: 0, timestamp: new Date().toISOString(), data: { room, message: text } };
      const ms = await msToLastArrival(clients, messageTo(text), text, () => post(ids, frame, 50));
      if (round > 0) rawRounds.push(ms);
    }
    const message = summarize(messageRounds);
    const raw = summarize(rawRounds);
    const presence = summarize(presenceFrames);
    return {
      ...joinFigures,
      presenceFramesPerMember: presence,
      presenceFramesTotal: presenceFrames.reduce((a, b) => a + b, 0),
      messageToLastMemberMs: message,
      rawPostsToLastMemberMs: raw,
      messageOverRaw: Math.round((message.p50 / raw.p50) * 100) / 100,
      meetsTargets: joinMs < 30_000 && message.p95 < 2_000,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

const isPresenceIn = (frame: Frame, room: string) => frame.type === "presence" && frame.data.room === room;
