import * as z from "zod";
import { sleep } from "#shared/concurrency";
import { payloadOf } from "./payload";
import { type HandlerRegistry, NonRetryableTaskError, type TaskHandler } from "./task-handler";

const SleepPayload = z.object({ ms: z.number().int().min(0).max(3_600_000) }).strict();
const FailPayload = z.object({ message: z.string().min(1).max(1_000), retryable: z.boolean().default(true) }).strict();

const echo: TaskHandler = async (payload) => ({ echo: payload });

const sleepFor: TaskHandler = async (payload, { signal }) => {
  const { ms } = payloadOf(SleepPayload, payload);
  const started = Date.now();
  await sleep(ms, signal);
  return { sleptMs: Date.now() - started };
};

const fail: TaskHandler = async (payload) => {
  const { message, retryable } = payloadOf(FailPayload, payload);
  if (!retryable) throw new NonRetryableTaskError(message, "RequestedFailure");
  throw new Error(message);
};

/**
 * Task types every agent serves, whatever its specialty: they exercise the pipeline
 * (echo a payload, take a while, fail on request) without touching the outside world.
 */
export const DIAGNOSTIC_HANDLERS: HandlerRegistry = {
  "diagnostics.echo": echo,
  "diagnostics.sleep": sleepFor,
  "diagnostics.fail": fail,
};
