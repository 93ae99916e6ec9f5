import type { Task } from "#core/tasks/domain/task";

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
    version: 1,
    createdAt: at,
    updatedAt: at,
    queuedAt: at,
    ...overrides,
  };
}
