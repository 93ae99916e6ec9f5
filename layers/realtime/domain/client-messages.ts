import { TimeoutError, withTimeout } from "#shared/concurrency";
import type { BucketLimits } from "#shared/token-bucket";
import { sendFrame } from "./broadcast";
import { type Connection, type RateLimiter, TooFarBackError } from "./ports";
import {
  type ClientMessage,
  type ControlFrame,
  type ControlFrameType,
  type ErrorFrameData,
  errorFrame,
  parseClientMessage,
  TOPICS,
  type Topic,
} from "../published/protocol";
import { replay } from "./replay";
import type { PublishDeps } from "./publishing";
import { joinRoom, leaveRoom, NotARoomMemberError, RoomForbiddenError, RoomLimitError, sendRoomMessage } from "./rooms";

export interface ClientMessageDeps extends PublishDeps {
  readonly rateLimiter: RateLimiter;
  /** Each frame a client sends takes one token. */
  readonly rateLimit: BucketLimits;
}

export interface AnswerOptions {
  /**
   * How long answering may take. Past it the client is told `timeout` instead of hearing
   * nothing (the `$default` function passes its remaining time less a margin to send that).
   */
  readonly withinMs?: number;
  /** Told of a failure that comes after the client was answered `timeout`, so it is not lost. */
  readonly onLateFailure?: (error: unknown) => void;
}

/**
 * Handles one frame from a client and answers it on the same connection: subscription and
 * room changes are acknowledged with the resulting state, `ping` with `pong`, `replay` with
 * `replay` frames, and anything malformed, over the rate limit, or about a room the
 * connection is not in with an `error` frame that says what is wrong. The connection stays up,
 * except once the token it was opened with has expired: every frame after that is answered with
 * `token_expired` and the connection is closed (the client reconnects with a fresh token).
 * No frame goes unanswered: one that cannot be answered in time gets `timeout`, and one that
 * fails on our side gets `internal_error` before the failure is thrown on.
 * A `room_message` has no reply of its own: the sender receives it as a member of the room.
 */
export async function handleClientMessage(
  connectionId: string,
  raw: string | undefined,
  deps: ClientMessageDeps,
  options: AnswerOptions = {},
): Promise<ControlFrame | undefined> {
  const now = deps.clock.now();
  const connection = await connectionOf(connectionId, deps);
  if (Date.parse(connection.tokenExpiresAt) <= now.getTime()) {
    const reply = errorFrame(
      { code: "token_expired", message: `the token this connection was opened with expired at ${connection.tokenExpiresAt}` },
      now,
    );
    await sendFrame(deps.gateway, connectionId, reply, now);
    await deps.gateway.close(connectionId);
    return reply;
  }
  const allowed = await deps.rateLimiter.take(connectionId, deps.rateLimit, now.getTime());
  let reply: ControlFrame | undefined;
  if (!allowed.ok) {
    const retryAfter = Math.ceil(allowed.retryAfterMs / 100) / 10;
    reply = errorFrame({ code: "rate_limited", message: `too many messages; retry after ${retryAfter} s`, retryAfter }, now);
  } else {
    const parsed = parseClientMessage(raw);
    reply = parsed.ok ? await answerInTime(connection, parsed.message, deps, options) : errorFrame(parsed.error, now);
  }
  if (reply) await sendFrame(deps.gateway, connectionId, reply, now);
  return reply;
}

/**
 * The answer, within `options.withinMs` if given: a refusal the client can act on (or `timeout`)
 * becomes an error frame; a failure of ours is told as `internal_error` and thrown on.
 */
async function answerInTime(
  connection: Connection,
  message: ClientMessage,
  deps: ClientMessageDeps,
  options: AnswerOptions,
): Promise<ControlFrame | undefined> {
  const { connectionId } = connection;
  const answering = answer(connection, message, deps);
  try {
    return await (options.withinMs === undefined ? answering : withTimeout(answering, options.withinMs, message.type));
  } catch (error) {
    if (error instanceof TimeoutError) answering.catch((late: unknown) => options.onLateFailure?.(late));
    const now = deps.clock.now();
    const known = refusal(error);
    if (known) return errorFrame(known, now);
    const failed = {
      code: "internal_error",
      message: "the server failed to answer this frame; it is logged, send it again",
    } as const;
    await sendFrame(deps.gateway, connectionId, errorFrame(failed, now), now);
    throw error;
  }
}

/** The error frame for a request the client can fix or retry; undefined for a failure of ours. */
function refusal(error: unknown): ErrorFrameData | undefined {
  const because = (field: string, message: string) => ({ message, fields: [{ field, message }] });
  if (error instanceof NotARoomMemberError) return { code: "not_a_member", ...because("room", error.message) };
  if (error instanceof RoomForbiddenError) return { code: "forbidden", ...because("room", error.message) };
  if (error instanceof RoomLimitError) return { code: "room_limit", ...because("room", error.message) };
  if (error instanceof TooFarBackError) return { code: "invalid_field", ...because("sinceTime", error.message) };
  // The work goes on and may still take effect; join, leave and subscribe can be sent again safely.
  if (error instanceof TimeoutError)
    return { code: "timeout", message: `${error.message}; it may still take effect, send it again` };
  return undefined;
}

/** The answer to one frame of `connection`, the record this frame was checked against (not read again). */
async function answer(
  connection: Connection,
  message: ClientMessage,
  deps: ClientMessageDeps,
): Promise<ControlFrame | undefined> {
  const { connectionId } = connection;
  const frame = (type: ControlFrameType, data: unknown): ControlFrame => ({
    type,
    timestamp: deps.clock.now().toISOString(),
    data,
  });
  switch (message.type) {
    case "subscribe":
      await deps.connections.subscribe(connectionId, unique(message.subscriptions));
      return frame("subscribed", { subscriptions: await sortedTopics(connectionId, deps) });
    case "unsubscribe":
      await deps.connections.unsubscribe(connectionId, unique(message.subscriptions));
      return frame("unsubscribed", { subscriptions: await sortedTopics(connectionId, deps) });
    case "join_room":
      return frame("joined", await joinRoom(connection, message.room, deps));
    case "leave_room":
      await leaveRoom(connectionId, message.room, deps);
      return frame("left", { room: message.room });
    case "room_message":
      await sendRoomMessage(connection, message.room, message.message, deps);
      return undefined;
    case "replay":
      // The replay frames are the answer; they are sent as they are read.
      await replay(connectionId, message, deps);
      return undefined;
    case "ping":
      return frame("pong", { connectionId, ...(message.id ? { id: message.id } : {}) });
  }
}

async function connectionOf(connectionId: string, deps: ClientMessageDeps) {
  const connection = await deps.connections.get(connectionId);
  // $connect stores the row before API Gateway lets any frame through, so this is a bug, not input.
  if (!connection) throw new Error(`connection ${connectionId} sent a frame but has no record`);
  return connection;
}

const unique = (topics: readonly Topic[]) => [...new Set(topics)];

async function sortedTopics(connectionId: string, deps: ClientMessageDeps): Promise<Topic[]> {
  const topics = await deps.connections.topicsOf(connectionId);
  return [...topics].sort((a, b) => TOPICS.indexOf(a) - TOPICS.indexOf(b));
}
