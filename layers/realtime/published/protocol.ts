import * as z from "zod";
import { type RoomMessage, RoomName } from "#kernel/bus/room-message";

/** What a client can subscribe to. `all` receives every topic. */
export const TOPICS = [
  "agents_only",
  "metrics_only",
  "tasks",
  "optimizations",
  "alerts",
  "detections",
  "coordination",
  "jobs",
  "all",
] as const;
export const Topic = z.enum(TOPICS);
export type Topic = z.infer<typeof Topic>;
/** Topics an event is published on; `all` is only a subscription. */
export type EventTopic = Exclude<Topic, "all">;
export const EVENT_TOPICS = TOPICS.filter((topic): topic is EventTopic => topic !== "all");

/** Server event types: the seed dashboard's, plus detections, proposals, coordination, jobs and the room events. */
export const SERVER_EVENT_TYPES = [
  "agent_status",
  "task_update",
  "metrics",
  "optimization_proposed",
  "optimization_pending",
  "optimization_result",
  "system_alert",
  "tge_detected",
  "coordination_event",
  "job_progress",
  "job_result",
  "room_message",
  "presence",
] as const;
export const ServerEventType = z.enum(SERVER_EVENT_TYPES);
export type ServerEventType = z.infer<typeof ServerEventType>;
/** Events that belong to a room rather than a topic; their `data.room` says which. */
export type RoomEventType = "room_message" | "presence";
export type TopicEventType = Exclude<ServerEventType, RoomEventType>;

/** The topic each topic event type is published on. */
export const TOPIC_OF: Readonly<Record<TopicEventType, EventTopic>> = {
  agent_status: "agents_only",
  task_update: "tasks",
  metrics: "metrics_only",
  optimization_proposed: "optimizations",
  optimization_pending: "optimizations",
  optimization_result: "optimizations",
  system_alert: "alerts",
  tge_detected: "detections",
  coordination_event: "coordination",
  job_progress: "jobs",
  job_result: "jobs",
};
export const isRoomEventType = (type: ServerEventType): type is RoomEventType => type === "room_message" || type === "presence";

/** Room names are short and URL-safe so they can sit in keys, paths and query strings. */

/**
 * Where an event lives in the history, and who receives it: a topic's subscribers (and `all`),
 * or a room's members.
 */
export type Stream = { readonly topic: EventTopic } | { readonly room: RoomName };
export const streamKey = (stream: Stream) => ("topic" in stream ? `TOPIC#${stream.topic}` : `ROOM#${stream.room}`);

/** Replay returns at most this many events per request; `truncated` tells the client to ask again. */
export const REPLAY_LIMIT = 500;
/** Text a client may send to a room in one message. */
export const ROOM_MESSAGE_MAX_CHARS = 4_000;

const Subscriptions = z.array(Topic).min(1).max(TOPICS.length);

/** Messages a client may send. Unknown fields are refused so typos surface as errors. */
export const ClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), subscriptions: Subscriptions }).strict(),
  z.object({ type: z.literal("unsubscribe"), subscriptions: Subscriptions }).strict(),
  z.object({ type: z.literal("join_room"), room: RoomName }).strict(),
  z.object({ type: z.literal("leave_room"), room: RoomName }).strict(),
  z.object({ type: z.literal("room_message"), room: RoomName, message: z.string().min(1).max(ROOM_MESSAGE_MAX_CHARS) }).strict(),
  z.object({ type: z.literal("ping"), id: z.string().max(128).optional() }).strict(),
  z
    .object({
      type: z.literal("replay"),
      /** Events with a greater `seq` than this one: the last `seq` the client saw. */
      sinceSeq: z.number().int().min(0).optional(),
      /** Events at or after this instant. */
      sinceTime: z.iso.datetime({ offset: true }).optional(),
      /** Defaults to the connection's subscriptions. */
      topics: z.array(Topic).min(1).max(TOPICS.length).optional(),
      /** Defaults to the rooms the connection is in; each must be one of them. */
      rooms: z.array(RoomName).max(20).optional(),
    })
    .strict()
    .refine((message) => (message.sinceSeq === undefined) !== (message.sinceTime === undefined), {
      message: "give exactly one of sinceSeq or sinceTime",
      path: ["sinceSeq"],
    }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ReplayRequest = Extract<ClientMessage, { type: "replay" }>;
export const CLIENT_MESSAGE_TYPES = ClientMessage.options.map((option) => option.shape.type.value);

/** An event as delivered to clients: `seq` orders events and lets a client resume. */
export interface ServerEvent<D = unknown> {
  readonly type: ServerEventType;
  readonly seq: number;
  readonly timestamp: string;
  readonly data: D;
}

/** Who is in a room: one entry per connection, so two tabs of one user are two members. */
export interface RoomMember {
  readonly connectionId: string;
  readonly sub: string;
  readonly username: string;
  readonly joinedAt: string;
}

/** `data` of a `room_message` event: the bus's `RoomMessage` detail. */
export type RoomMessageData = RoomMessage;

/** A change of a room's membership: `dropped` is a connection that went away without leaving. */
export type PresenceAction = "joined" | "left" | "dropped";
export interface PresenceChange {
  readonly action: PresenceAction;
  readonly member: RoomMember;
  /** When it happened. */
  readonly at: string;
}

/**
 * `data` of a `presence` event in a room of up to `PRESENCE_POLICY.perChangeUpTo` members:
 * one change, as it happens, with everyone in the room now.
 */
export interface PresenceChangeData {
  readonly room: RoomName;
  readonly action: PresenceAction;
  readonly member: RoomMember;
  readonly members: readonly RoomMember[];
}

/**
 * `data` of a `presence` event in a larger room: the changes since the last summary, gathered
 * for `summaryDelayFor(members)` (a second per `PRESENCE_POLICY.summaryPostsPerSecond` members), counted, the newest of them named, and how many
 * are in the room now (ADR 0022).
 */
export interface PresenceSummaryData {
  readonly room: RoomName;
  readonly action: "summary";
  readonly memberCount: number;
  readonly counts: Readonly<Record<PresenceAction, number>>;
  /** The newest `PRESENCE_POLICY.changesNamed` of the changes counted, oldest first. */
  readonly changes: readonly PresenceChange[];
}

export type PresenceData = PresenceChangeData | PresenceSummaryData;

/** `data` of the `joined` answer: who is in the room (at most `PRESENCE_POLICY.membersListed`) and how many. */
export interface JoinedData {
  readonly room: RoomName;
  /** All of a room of up to `membersListed`; past that, the first members as of the room's last summary (ADR 0025). */
  readonly members: readonly RoomMember[];
  /** Everyone in the room, this joiner included. */
  readonly memberCount: number;
}

/**
 * `data` of a `batch` frame: several events due to one connection at once, in `seq` order
 * (ADR 0018). A client applies them one by one, exactly as if each had come in its own frame;
 * a single due event is never wrapped, so a client that knows no `batch` still gets it.
 */
export interface BatchFrameData {
  readonly events: readonly ServerEvent[];
}
/** A frame carrying several events; it has no `seq` of its own (each event has one). */
export interface BatchFrame {
  readonly type: "batch";
  readonly timestamp: string;
  readonly data: BatchFrameData;
}
export const batchFrame = (events: readonly ServerEvent[], now: Date): BatchFrame => ({
  type: "batch",
  timestamp: now.toISOString(),
  data: { events },
});

/**
 * The events a server frame carries, in order: a `batch` frame's events, an event frame itself,
 * or none for a control frame.
 *
 * @example
 * eventsOfFrame({ type: "batch", timestamp, data: { events: [e41, e43] } }) // → [e41, e43]
 */
export function eventsOfFrame(frame: { readonly type: string; readonly seq?: number; readonly data?: unknown }): ServerEvent[] {
  if (frame.type === "batch") return [...((frame.data as BatchFrameData | undefined)?.events ?? [])];
  return typeof frame.seq === "number" ? [frame as ServerEvent] : [];
}

/** Replies to a client's own message; not events, so they carry no `seq`. */
export type ControlFrameType = "subscribed" | "unsubscribed" | "joined" | "left" | "pong" | "replay" | "frame_part" | "error";
export interface ControlFrame<D = unknown> {
  readonly type: ControlFrameType;
  readonly timestamp: string;
  readonly data: D;
}

/**
 * `data` of a `replay` frame. A replay answers in one or more frames (each under the frame
 * limit); the one with `last: true` ends it. `truncated` means more events were missed than
 * one replay returns: ask again with `sinceSeq: throughSeq`.
 */
export interface ReplayFrameData {
  readonly events: readonly ServerEvent[];
  readonly last: boolean;
  readonly truncated: boolean;
  /** The greatest `seq` this replay covered; the client's next `sinceSeq`. */
  readonly throughSeq: number;
}

/**
 * `data` of a `frame_part` frame: a frame too big for one WebSocket frame, cut into parts.
 * Join `chunk` of parts 0…count-1 of one `id` in order and parse the result as one frame.
 */
export interface FramePartData {
  readonly id: string;
  readonly index: number;
  readonly count: number;
  readonly chunk: string;
}

export type ErrorCode =
  | "invalid_json"
  | "unknown_type"
  | "invalid_field"
  | "not_a_member"
  | "rate_limited"
  | "internal_error"
  /** The token the connection was opened with has expired; the server closes the connection after this frame. */
  | "token_expired"
  /** The room's rule (room-rules.ts) does not let this connection's roles join or post. */
  | "forbidden"
  /** The connection is in as many rooms as `CONNECTION_LIMITS.roomsPerConnection` allows. */
  | "room_limit"
  /** The frame could not be answered in the handler's time; it may still take effect, and may be sent again. */
  | "timeout";

export interface ErrorFrameData {
  readonly code: ErrorCode;
  readonly message: string;
  readonly fields?: readonly { field: string; message: string }[];
  /** Seconds to wait before sending again (only with `rate_limited`). */
  readonly retryAfter?: number;
}

export const errorFrame = (data: ErrorFrameData, now: Date): ControlFrame<ErrorFrameData> => ({
  type: "error",
  timestamp: now.toISOString(),
  data,
});

/**
 * Parses a raw client frame into a message, or explains exactly what is wrong with it.
 * Never throws: every bad frame becomes an `error` frame and the connection stays up.
 */
export function parseClientMessage(
  raw: string | undefined,
): { ok: true; message: ClientMessage } | { ok: false; error: ErrorFrameData } {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? "");
  } catch {
    return { ok: false, error: { code: "invalid_json", message: "messages must be JSON objects with a `type`" } };
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      error: {
        code: "unknown_type",
        message: `unknown message type ${JSON.stringify(type ?? null)}; expected one of ${CLIENT_MESSAGE_TYPES.join(", ")}`,
      },
    };
  }
  const parsed = ClientMessage.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const fields = parsed.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(message)",
    message: issue.message,
  }));
  return {
    ok: false,
    error: { code: "invalid_field", message: fields.map((f) => `${f.field}: ${f.message}`).join("; "), fields },
  };
}
