import { localToken } from "../local/users";
import type { LocalOutputs } from "../local/outputs";
import { WsClient } from "../local/ws-client";
import { summarize } from "./stats";

/**
 * Submit → dashboard latency, one task at a time: the time from sending `POST /api/tasks` to
 * the `task_update` frame announcing it (queued), and to the one announcing its completion.
 */
export async function spineBenchmark(outputs: LocalOutputs, options: { tasks: number }) {
  const token = await localToken(outputs, "admin");
  const client = await WsClient.connect(outputs.WebSocketUrl, await localToken(outputs, "viewer"));
  await client.subscribe(["tasks"]);
  const toQueued: number[] = [];
  const toCompleted: number[] = [];
  const submitHttp: number[] = [];
  try {
    // One warm-up task so cold starts are not counted.
    for (let i = -1; i < options.tasks; i++) {
      const started = performance.now();
      const response = await fetch(`${outputs.HttpApiUrl}/api/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { i } }),
        signal: AbortSignal.timeout(15_000),
      });
      const answered = performance.now();
      if (response.status !== 201) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
      const { taskId } = (await response.json()) as { taskId: string };
      const update = (status: string) =>
        client.waitFor(
          (frame) => frame.type === "task_update" && frame.data.taskId === taskId && frame.data.status === status,
          30_000,
        );
      const queued = update("queued").then(() => performance.now());
      const completed = update("completed").then(() => performance.now());
      const [queuedAt, completedAt] = await Promise.all([queued, completed]);
      if (i < 0) continue;
      submitHttp.push(answered - started);
      toQueued.push(queuedAt - started);
      toCompleted.push(completedAt - started);
    }
  } finally {
    client.close();
  }
  return {
    tasks: options.tasks,
    submitResponseMs: summarize(submitHttp),
    submitToTaskUpdateMs: summarize(toQueued),
    submitToCompletedUpdateMs: summarize(toCompleted),
  };
}
