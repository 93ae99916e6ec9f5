import type { Task } from "#tasks/domain/task";
import type { RetryPolicy, TransitionContext } from "#tasks/domain/task-state-machine";

export const POLICY: RetryPolicy = { baseDelaySeconds: 2, maxDelaySeconds: 60, queuedTtlSeconds: 3600 };

/** A transition context at `iso`, with no jitter (random → 0.5) unless given. */
export const at = (iso = "2026-11-23T10:00:00.000Z", random: () => number = () => 0.5): TransitionContext => ({
  now: new Date(iso),
  policy: POLICY,
  random,
});

/** A valid queued task; override what the test is about. */
export function aTask(overrides: Partial<Task> = {}): Task {
  const at = "2026-11-23T09:59:00.000Z";
  return {
    taskId: "task-1",
    type: "diagnostics.echo",
    agentType: "data-quality",
    priority: "normal",
    payload: { hello: "swarm" },
    timeoutSeconds: 300,
    maxRetries: 3,
    requestFingerprint: "fp",
    submittedBy: "user-1",
    status: "queued",
    attempt: 1,
    attemptsAllowed: 4,
    version: 1,
    createdAt: at,
    updatedAt: at,
    queuedAt: at,
    ...overrides,
  };
}
