// Many dashboard connections at once, for the rooms benchmark.
import { mapWithConcurrency } from "#shared/concurrency";
import type { Role } from "#shared/identity";
import { loadStageConfig } from "../../lib/config/stage-config";
import type { LocalOutputs } from "./outputs";
import { ensureUser, tokenOf } from "./users";
import { type Frame, WsClient } from "./ws-client";

/**
 * Connections one crowd user opens: three quarters of what the local stage lets one user hold,
 * so rows of connections a previous run closed a moment ago cannot push it over the limit.
 */
const connectionsPerUser = () => Math.floor((loadStageConfig("local", process.env).wsConnectionsPerUser * 3) / 4);
/** Handshakes in flight at once: the emulator runs a bounded number of `$connect` instances. */
const HANDSHAKES_IN_FLIGHT = 25;

/**
 * `size` open connections spread over crowd users of `role` (created if missing), so no user
 * goes past its connection limit. Closes what it opened if any handshake fails.
 */
export async function openCrowd(outputs: LocalOutputs, size: number, role: Role = "viewer"): Promise<WsClient[]> {
  const perUser = connectionsPerUser();
  const users = Array.from({ length: Math.ceil(size / perUser) }, (_, i) => ({
    username: `crowd-${role}-${i + 1}`,
    password: "Local-Crowd-Passw0rd!",
    group: role,
  }));
  const tokens: string[] = [];
  for (const user of users) {
    await ensureUser(outputs, user);
    tokens.push(await tokenOf(outputs, user));
  }
  const opened = await mapWithConcurrency(
    Array.from({ length: size }, (_, i) => tokens[Math.floor(i / perUser)] as string),
    HANDSHAKES_IN_FLIGHT,
    (token) => WsClient.connect(outputs.WebSocketUrl, token, 30_000),
  );
  const clients = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const refused = opened.find((result) => result.status === "rejected");
  if (refused) {
    for (const client of clients) client.close();
    throw new Error(`${size - clients.length} of ${size} handshakes failed; the first: ${String(refused.reason)}`);
  }
  return clients;
}

/** One client's `join_room`: its answer (`joined` or `error`) and how long it took, or none within the timeout. */
export interface JoinOutcome {
  readonly answer: "joined" | "error" | "none";
  readonly ms: number;
  readonly frame?: Frame;
}

/** Sends `join_room` from every client, `inFlight` at a time, and waits up to `timeoutMs` for each answer. */
export async function joinAll(clients: readonly WsClient[], room: string, inFlight: number, timeoutMs = 15_000) {
  const results = await mapWithConcurrency(clients, inFlight, async (client): Promise<JoinOutcome> => {
    const started = performance.now();
    const before = client.frames.length;
    client.send({ type: "join_room", room });
    const answered = (frame: Frame) =>
      (frame.type === "joined" && frame.data.room === room) || (frame.type === "error" && client.frames.indexOf(frame) >= before);
    try {
      const frame = await client.waitFor(answered, timeoutMs, `join ${room}`);
      return { answer: frame.type === "joined" ? "joined" : "error", ms: performance.now() - started, frame };
    } catch {
      return { answer: "none", ms: performance.now() - started };
    }
  });
  return results.map((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
}
