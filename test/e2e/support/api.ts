import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import type { AgentType } from "#kernel/agent-catalog";
import { SchedulingStrategy, systemCaller, systemSubmitter } from "#tasks/published/task-submitter";
import type { Role } from "#shared/identity";
import { localToken } from "../../../scripts/local/users";
import { eventually } from "../../../scripts/local/eventually";

/** Waits on a condition with a bound (the one helper tests and benchmarks share). */
export { eventually };

export const outputs = () => inject("outputs");

const tokens = new Map<Role, Promise<string>>();
/** An access token for the seeded user of `role`, fetched once per test file. */
export function tokenFor(role: Role): Promise<string> {
  let token = tokens.get(role);
  if (!token) {
    token = localToken(outputs(), role);
    tokens.set(role, token);
  }
  return token;
}

/** The ID token of the seeded user of `role` (the API must refuse it). */
export const idTokenFor = (role: Role): Promise<string> => localToken(outputs(), role, "id");

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** How many times a call refused for its rate (429) is made again, after its `Retry-After`. */
const RATE_LIMIT_RETRIES = 5;

/**
 * Calls the HTTP API; `token: null` sends no Authorization header. A 429 is waited out and sent
 * again, as a well-behaved client does (the seeded users share their buckets across the whole
 * suite); `onRateLimit: "answer"` returns the 429 instead, for tests of the limit itself.
 */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: {
    token?: string | null;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    onRateLimit?: "wait" | "answer";
  } = {},
): Promise<ApiResponse<T>> {
  const token = options.token === undefined ? await tokenFor("admin") : options.token;
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  const send = () =>
    fetch(`${outputs().HttpApiUrl}${path}`, {
      method,
      headers,
      body:
        method === "GET"
          ? undefined
          : (options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))),
      signal: AbortSignal.timeout(15_000),
    });
  const read = async () => {
    const response = await send();
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { response, body };
  };
  // Only our rate limiter's 429 (`RateLimited`) is waited out; a full queue's 429 is an answer.
  const rateLimited = (r: { response: Response; body: unknown }) =>
    r.response.status === 429 && (r.body as { error?: { code?: string } } | undefined)?.error?.code === "RateLimited";
  let { response, body } = await read();
  for (
    let retry = 0;
    retry < RATE_LIMIT_RETRIES && options.onRateLimit !== "answer" && rateLimited({ response, body });
    retry++
  ) {
    const seconds = Math.min(5, Math.max(1, Number(response.headers.get("retry-after")) || 1));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    ({ response, body } = await read());
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export interface TaskBody {
  taskId: string;
  status: string;
  attempt: number;
  version: number;
  agentType: string;
  agentId?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: { message: string; code?: string; retryable: boolean };
  result?: Record<string, unknown>;
}

/** Submits one task as admin and returns it; fails the test on anything but 201. */
export async function submit(body: Record<string, unknown>): Promise<TaskBody> {
  const response = await api<TaskBody>("POST", "/api/tasks", { body });
  if (response.status !== 201) throw new Error(`submit answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Polls a task until `done` holds. */
export async function taskUntil(
  taskId: string,
  done: (task: TaskBody) => boolean,
  timeoutMs = 30_000,
  what = "the task",
): Promise<TaskBody> {
  return eventually(
    async () => (await api<TaskBody>("GET", `/api/tasks/${taskId}`)).body,
    done,
    timeoutMs,
    `${what} (${taskId})`,
  );
}

/** Cancels every queued or running task of an agent type (tests clean up after themselves). */
export async function cancelAllOf(agentType: string): Promise<void> {
  for (let more = true; more;) {
    const { body } = await api<{ more: boolean }>("POST", "/api/tasks/cancel", {
      body: { filter: { agentType }, limit: 500, reason: "e2e cleanup" },
    });
    more = body.more;
  }
}

/**
 * Submits a task as the swarm's own component would (the pipeline's types are refused to every
 * user, ADR 0016): through the same `systemSubmitter` the agents use, with the environment of
 * `asAgentType`'s agents, against the deployed tables. Answers what `POST /api/tasks` would.
 */
export async function submitAsSystem(
  body: Record<string, unknown>,
  asAgentType: AgentType = "keyword-precision",
): Promise<ApiResponse<TaskBody>> {
  const env = inject("agentEnvironments")[asAgentType];
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const submit = systemSubmitter(db, systemCaller(asAgentType), {
      tasksTable: String(env.TASKS_TABLE),
      statsTable: String(env.TASK_STATS_TABLE),
      maxQueueDepth: Number(env.MAX_QUEUE_DEPTH),
      queuedTtlSeconds: Number(env.QUEUED_TTL_SECONDS),
      schedulingStrategy: SchedulingStrategy.parse(env.SCHEDULING_STRATEGY),
    });
    const { task, created } = await submit(body);
    return { status: created ? 201 : 200, headers: new Headers(), body: task as unknown as TaskBody };
  } finally {
    db.destroy();
  }
}
