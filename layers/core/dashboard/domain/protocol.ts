import * as z from "zod";

/** What a client can subscribe to. `all` receives every topic. */
export const TOPICS = ["agents_only", "metrics_only", "tasks", "optimizations", "alerts", "detections", "all"] as const;
export const Topic = z.enum(TOPICS);
export type Topic = z.infer<typeof Topic>;

/** Server event types: the seed dashboard's, plus `optimization_proposed` and `tge_detected`. */
export const SERVER_EVENT_TYPES = [
  "agent_status",
  "task_update",
  "metrics",
  "optimization_proposed",
  "optimization_result",
  "system_alert",
  "tge_detected",
] as const;
export const ServerEventType = z.enum(SERVER_EVENT_TYPES);
export type ServerEventType = z.infer<typeof ServerEventType>;

/** The topic each server event type is published on. */
export const TOPIC_OF: Readonly<Record<ServerEventType, Exclude<Topic, "all">>> = {
  agent_status: "agents_only",
  task_update: "tasks",
  metrics: "metrics_only",
  optimization_proposed: "optimizations",
  optimization_result: "optimizations",
  system_alert: "alerts",
  tge_detected: "detections",
};

const Subscriptions = z.array(Topic).min(1).max(TOPICS.length);

/** Messages a client may send. Unknown fields are refused so typos surface as errors. */
export const ClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), subscriptions: Subscriptions }).strict(),
  z.object({ type: z.literal("unsubscribe"), subscriptions: Subscriptions }).strict(),
  z.object({ type: z.literal("ping"), id: z.string().max(128).optional() }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export const CLIENT_MESSAGE_TYPES = ClientMessage.options.map((option) => option.shape.type.value);

/** An event as delivered to clients: `seq` orders events and lets a client resume. */
export interface ServerEvent<D = unknown> {
  readonly type: ServerEventType;
  readonly seq: number;
  readonly timestamp: string;
  readonly data: D;
}

/** Replies to a client's own message; not events, so they carry no `seq`. */
export type ControlFrameType = "subscribed" | "unsubscribed" | "pong" | "error";
export interface ControlFrame<D = unknown> {
  readonly type: ControlFrameType;
  readonly timestamp: string;
  readonly data: D;
}

export type ErrorCode = "invalid_json" | "unknown_type" | "invalid_field" | "rate_limited" | "internal_error";

export interface ErrorFrameData {
  readonly code: ErrorCode;
  readonly message: string;
  readonly fields?: readonly { field: string; message: string }[];
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
