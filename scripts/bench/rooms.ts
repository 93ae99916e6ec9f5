import { randomUUID } from "node:crypto";
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { mapWithConcurrency } from "#shared/concurrency";
import { joinAll, openCrowd } from "../local/crowd";
import type { LocalOutputs } from "../local/outputs";
import type { Frame } from "../local/ws-client";
import { summarize } from "./stats";

/**
 * One room of `members` connections: the time for all of them to join (sent `inFlight` at a
 * time, each waiting for its answer), then one room message from the first member to the last
 * member's arrival, beside the same frame posted to every member from here with
 * PostToConnection at the broadcaster's 50 in flight, on the same emulator in the same run.
 */
export async function roomsBenchmark(outputs: LocalOutputs, options: { members: number; inFlight: number; messages: number }) {
  const openStarted = performance.now();
  const clients = await openCrowd(outputs, options.members);
  const openMs = performance.now() - openStarted;
  try {
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
      unanswered,
      refused: refused.length,
      firstRefusals: refused.slice(0, 3),
      targets: { allJoinedMs: 30_000, messageToLastMemberMs: 2_000 },
    };
    // A room some members never joined cannot be measured for delivery to all of them.
    if (refused.length + unanswered > 0) return { ...joinFigures, meetsTargets: false };
    // Presence settles after the last join: the last coalesced frame comes one interval later.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const presenceFrames = clients.map((client) => client.frames.filter((f) => isPresenceIn(f, room)).length);

    const sender = clients[0];
    if (!sender) throw new Error("no members");
    const messageRounds: number[] = [];
    for (let round = 0; round <= options.messages; round++) {
      const text = `hello-${round}-${randomUUID()}`;
      const arrivals = clients.map((client) =>
        client.waitFor((f) => f.type === "room_message" && f.data.message === text, 60_000, text).then(() => performance.now()),
      );
      const started = performance.now();
      sender.send({ type: "room_message", room, message: text });
      const last = Math.max(...(await Promise.all(arrivals)));
      // Round 0 warms the function; it is not counted.
      if (round > 0) messageRounds.push(last - started);
    }

    const ids = await Promise.all(clients.map((client) => client.connectionId()));
    const management = new ApiGatewayManagementApiClient({
      endpoint: outputs.WebSocketUrl.replace(/^ws/, "http"),
      region: outputs.region,
    });
    const rawRounds: number[] = [];
    for (let round = 0; round <= options.messages; round++) {
      const text = `raw-${round}-${randomUUID()}`;
      const frame = JSON.stringify({
        type: "room_message",
        seq: 0,
        timestamp: new Date().toISOString(),
        data: { room, message: text },
      });
      const arrivals = clients.map((client) =>
        client.waitFor((f) => f.type === "room_message" && f.data.message === text, 60_000, text).then(() => performance.now()),
      );
      const started = performance.now();
      const posted = await mapWithConcurrency(ids, 50, (id) =>
        management.send(new PostToConnectionCommand({ ConnectionId: id, Data: frame })),
      );
      const failure = posted.find((result) => result.status === "rejected");
      if (failure) throw new Error(`a baseline post failed: ${String(failure.reason)}`);
      const last = Math.max(...(await Promise.all(arrivals)));
      if (round > 0) rawRounds.push(last - started);
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
