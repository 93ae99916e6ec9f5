import { rmSync } from "node:fs";
import * as path from "node:path";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { mapWithConcurrency } from "#shared/concurrency";
import { setAgentCounts } from "../local/agent-counts";
import { freePort } from "../local/emulator";
import { type LocalEnvironment, startLocalEnvironment } from "../local/environment";
import { eventually } from "../local/eventually";
import type { LocalOutputs } from "../local/outputs";
import { LOCAL_DIR } from "../local/paths";
import { localToken } from "../local/users";

/** Statuses a task ends in. */
const FINAL = new Set(["completed", "failed", "cancelled", "timed_out", "dead_lettered", "expired"]);
/** The types that run the tasks, one agent each: sleeps keep some running and many queued when the stop comes. */
const TYPES: readonly AgentType[] = ["data-quality", "keyword-precision"];

interface TaskState {
  readonly taskId: string;
  readonly status: string;
  readonly attempt: number;
}

/**
 * Tasks in flight across a restart (issue 14, R13): `tasks` sleeping tasks submitted to two
 * agent types, the environment stopped while they run and wait (the emulator saving its state,
 * as Ctrl-C on `npm start` does), started again from that state, and timed until every task is
 * final. Reports the stop, the start, the time from the start to the last task final (the
 * bound), each final status and how many tasks took another attempt (a task running at the stop
 * is retried once its lease lapses; none may run twice to completion: the e2e restart test
 * checks exactly once from the agents' logs).
 */
export async function restartBenchmark(options: { tasks: number; sleepMs: number }) {
  const workDir = path.join(LOCAL_DIR, "bench-restart");
  const stateDir = path.join(workDir, "emulator-state");
  rmSync(workDir, { recursive: true, force: true });
  const port = await freePort();
  const feedPort = await freePort();
  const lines: string[] = [];
  const start = async () => {
    delete process.env.AWS_ENDPOINT_URL;
    const started = Date.now();
    const environment = await startLocalEnvironment({
      workDir,
      stateDir,
      port,
      feedPort,
      log: (line) => lines.push(line),
    });
    return { environment, seconds: (Date.now() - started) / 1_000 };
  };
  /** One API call; a 429 (reading 200 tasks again and again spends one user's read budget) is waited out, as a client does. */
  const call = async <T>(outputs: LocalOutputs, token: string, method: string, route: string, body?: unknown): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${outputs.HttpApiUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(20_000),
      });
      if (response.status === 429 && attempt < 10) {
        await response.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after") ?? "1") * 1_000));
        continue;
      }
      if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}`);
      return (await response.json()) as T;
    }
  };

  let environment: LocalEnvironment | undefined;
  try {
    const first = await start();
    environment = first.environment;
    // One agent per type, as every benchmark runs (the types whose minimum is above 0 would start one anyway).
    await setAgentCounts(environment.outputs, Object.fromEntries(AGENT_TYPES.map((type) => [type, 1])));
    await environment.fleet.settled(AGENT_TYPES.length, 60_000);
    let token = await localToken(environment.outputs, "admin");
    const ids: string[] = [];
    for (let i = 0; i < options.tasks; i += 100) {
      const tasks = Array.from({ length: Math.min(100, options.tasks - i) }, (_, j) => ({
        type: "diagnostics.sleep",
        agentType: TYPES[(i + j) % TYPES.length],
        priority: "normal",
        payload: { ms: options.sleepMs },
      }));
      const { results } = await call<{ results: { status: number; task?: { taskId: string } }[] }>(
        environment.outputs,
        token,
        "POST",
        "/api/tasks/batch",
        { tasks },
      );
      for (const result of results) {
        if (!result.task) throw new Error(`a batch item answered ${result.status}`);
        ids.push(result.task.taskId);
      }
    }
    // Let the agents take the first tasks, so some are running when the stop comes.
    await new Promise((resolve) => setTimeout(resolve, options.sleepMs));
    const read = async (outputs: LocalOutputs): Promise<TaskState[]> => {
      const settled = await mapWithConcurrency(ids, 8, (id) => call<TaskState>(outputs, token, "GET", `/api/tasks/${id}`));
      return settled.map((result) => {
        if (result.status === "rejected") throw result.reason;
        return result.value;
      });
    };
    const atStop = await read(environment.outputs);
    const stopped = await environment.stop();
    environment = undefined;
    if (!stopped.saved) throw new Error(`the stop did not save the state: ${stopped.problems.join("; ")}`);

    const second = await start();
    environment = second.environment;
    if (environment.origin.kind !== "restored") throw new Error(`the second start was ${environment.origin.kind}, not restored`);
    await setAgentCounts(environment.outputs, Object.fromEntries(AGENT_TYPES.map((type) => [type, 1])));
    token = await localToken(environment.outputs, "admin");
    const restarted = Date.now();
    const outputs = environment.outputs;
    const final = await eventually(
      () => read(outputs),
      (tasks) => tasks.every((task) => FINAL.has(task.status)),
      15 * 60_000,
      `all ${ids.length} tasks final after the restart`,
      5_000,
    );
    const untilAllFinalSeconds = (Date.now() - restarted) / 1_000;
    const countBy = (tasks: readonly TaskState[]) =>
      tasks.reduce<Record<string, number>>((counts, task) => ({ ...counts, [task.status]: (counts[task.status] ?? 0) + 1 }), {});
    return {
      tasks: ids.length,
      sleepMs: options.sleepMs,
      agents: AGENT_TYPES.length,
      atStop: countBy(atStop),
      stopSeconds: stopped.seconds,
      firstStartSeconds: first.seconds,
      restoredStartSeconds: second.seconds,
      untilAllFinalSeconds,
      final: countBy(final),
      retried: final.filter((task) => task.attempt > 1).length,
      lost: final.filter((task) => !FINAL.has(task.status)).length,
    };
  } finally {
    await environment?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
