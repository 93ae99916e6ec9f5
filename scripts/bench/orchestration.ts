import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { mapWithConcurrency } from "#shared/concurrency";
import { chunksOf } from "#shared/adapters/batch-entries";
import { MAX_BATCH } from "#tasks/domain/submit-batch";
import type { LocalOutputs } from "../local/outputs";
import { ensureUser, localToken, tokenOf } from "../local/users";
import { WsClient } from "../local/ws-client";
import { lambdaInvocationsBetween, markLog, perTask, requestsBetween } from "./request-counts";
import { summarize } from "./stats";
import { PRIORITIES } from "#kernel/task-vocabulary";

/** Tasks submitted one at a time before the burst, for the idle submit → running latency. */
const IDLE_SAMPLES = 20;

/**
 * A read of the benchmark's own (status polls, task reads) tried again after a timeout or a
 * 5xx: on a loaded machine one can take longer than its 15 s, and that is not the pipeline's fault.
 */
async function patiently<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt === attempts) throw error;
      console.log(`[bench] a read failed (${error instanceof Error ? error.message : String(error)}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
}

/** Tries per submit: a loaded machine times a submit out now and then (the function's 10 s). */
const SUBMIT_ATTEMPTS = 5;
/** A task that runs once is written three times (queued, running, completed): three `task_update`s. */
const TASK_VERSIONS = 3;
/** How long the dashboard may run behind the finished tasks before the benchmark gives up. */
const DASHBOARD_CATCH_UP_MS = 5 * 60_000;
/** Users the burst is submitted as (each has its own request budget). */
const SUBMITTERS = 8;

interface StoredTask {
  taskId: string;
  status: string;
  attempt: number;
  version: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * SQS on its own, on the same emulator: the latency from sending a message to a waiting long
 * poll receiving it. The floor any queue-based dispatch sits on.
 */
async function rawSqsLatency(samples: number): Promise<number[]> {
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-raw-${Date.now()}` }));
  if (!QueueUrl) throw new Error("no queue URL");
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sent = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: String(i) }));
      const { Messages } = await receiving;
      if (!Messages?.length) throw new Error("the raw receive got nothing");
      latencies.push(performance.now() - sent);
    }
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    sqs.destroy();
  }
  return latencies;
}

/**
 * SQS on its own under the same burst: `count` messages sent with the same concurrency over
 * one queue per agent type, drained by one receiver per queue taking as many messages at a time
 * as an agent runs tasks. The send → receive latency includes the backlog, as the tasks' does.
 */
async function rawSqsBurst(
  count: number,
  concurrency: number,
  perReceive: number,
): Promise<{ latencies: number[]; wallMs: number }> {
  const sqs = new SQSClient({});
  const stamp = Date.now();
  const queues = await Promise.all(
    AGENT_TYPES.map(
      async (type) => (await sqs.send(new CreateQueueCommand({ QueueName: `bench-burst-${type}-${stamp}` }))).QueueUrl as string,
    ),
  );
  const latencies: number[] = [];
  const started = performance.now();
  try {
    const receivers = queues.map(async (QueueUrl, index) => {
      const expected = Math.ceil((count - index) / queues.length);
      let received = 0;
      while (received < expected) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: perReceive }),
        );
        for (const message of Messages) {
          latencies.push(Date.now() - Number(message.Body));
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
          received++;
        }
      }
    });
    await mapWithConcurrency(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      (i) => sqs.send(new SendMessageCommand({ QueueUrl: queues[i % queues.length], MessageBody: String(Date.now()) })),
    );
    await Promise.all(receivers);
    return { latencies, wallMs: performance.now() - started };
  } finally {
    await Promise.all(queues.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
    sqs.destroy();
  }
}

/**
 * 1000 tasks submitted concurrently through the API, spread over the five agent types and four
 * priorities, run by the local agents. Checks every task completed exactly once (one attempt,
 * three writes: queued, running, completed), then reports throughput and latencies beside a
 * raw SQS send → receive measured in the same run.
 */
export async function orchestrationBenchmark(
  outputs: LocalOutputs,
  options: {
    tasks: number;
    concurrency: number;
    agentConcurrency: number;
    emulatorLog: string;
    /**
     * How the burst is submitted: one `POST /api/tasks` per task, or `POST /api/tasks/batch`
     * with 100 a request (the pipeline's own rate, with the API's per-request cost taken out).
     */
    submit: "single" | "batch";
  },
) {
  // Admin: the benchmark submits diagnostics tasks, which only admins may.
  const token = await localToken(outputs, "admin");
  // Submitters: one user is held to 20 writes a second (ADR 0016), and a burst of 1,000 tasks
  // is many users' work, as in the api benchmark; each task always goes through the same user,
  // since its idempotency key is that user's.
  const submitters = Array.from({ length: SUBMITTERS }, (_, i) => ({
    username: `bench-submitter-${i}`,
    password: `Bench-Passw0rd-${i}!`,
    group: "admin" as const,
  }));
  for (const user of submitters) await ensureUser(outputs, user);
  const submitterTokens = await Promise.all(submitters.map((user) => tokenOf(outputs, user)));
  // A dashboard watching `tasks`, as a real one would be: its broadcasts are part of the cost.
  const dashboard = await WsClient.connect(outputs.WebSocketUrl, await localToken(outputs, "viewer"), 30_000);
  await dashboard.subscribe(["tasks"]);
  let statusPolls = 0;
  // Watch the counters, not the tasks: polling 1000 tasks would itself load the emulator.
  const finishedCount = () => patiently(countFinished);
  const countFinished = async () => {
    statusPolls++;
    const response = await fetch(`${outputs.HttpApiUrl}/api/tasks/status`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw new Error(`GET /api/tasks/status answered ${response.status}`);
    const view = (await response.json()) as { counts: { byStatus: Record<string, number> } };
    const { completed = 0, failed = 0, dead_lettered = 0 } = view.counts.byStatus;
    return completed + failed + dead_lettered;
  };
  // Each submit carries an idempotency key, so one that timed out on a loaded machine can be
  // sent again without making a second task (the repeat answers 200 with the first).
  const run = Date.now().toString(36);
  let submitRetries = 0;
  let budgetWaits = 0;
  /**
   * A submit, sent again after a 5xx (up to SUBMIT_ATTEMPTS) or, after a 429, once the
   * `Retry-After` it names has passed (counted apart: the budget working, not a failure).
   */
  const submit = async (path: string, body: unknown, submitter: number): Promise<Response> => {
    const giveUpAt = Date.now() + 10 * 60_000;
    for (let attempt = 1; ;) {
      const response = await fetch(`${outputs.HttpApiUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${submitterTokens[submitter % SUBMITTERS]}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        // Generous: the machine is shared, and a submit that is slow is measured, not an error.
        signal: AbortSignal.timeout(90_000),
      });
      if (response.status === 429 && Date.now() < giveUpAt) {
        budgetWaits++;
        await response.text();
        await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(response.headers.get("retry-after") ?? 1)));
        continue;
      }
      if (response.status < 500 || attempt === SUBMIT_ATTEMPTS) return response;
      submitRetries++;
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
      attempt++;
    }
  };
  const taskRequest = (i: number) => ({
    type: "diagnostics.echo",
    agentType: AGENT_TYPES[i % AGENT_TYPES.length],
    priority: PRIORITIES[i % PRIORITIES.length],
    payload: { i },
    idempotencyKey: `bench-${run}-${i}`,
  });
  const submitOne = async (i: number): Promise<string> => {
    const response = await submit("/api/tasks", taskRequest(i), i);
    if (response.status === 201 || response.status === 200) return ((await response.json()) as { taskId: string }).taskId;
    throw new Error(`task ${i}: submit answered ${response.status}: ${await response.text()}`);
  };
  /** Up to 100 tasks in one request, all through one submitter; a repeat after a 5xx replays what the first made. */
  const submitMany = async (indices: readonly number[]): Promise<string[]> => {
    const response = await submit(
      "/api/tasks/batch",
      { tasks: indices.map(taskRequest) },
      Math.floor((indices[0] ?? 0) / MAX_BATCH),
    );
    if (response.status !== 200) throw new Error(`batch submit answered ${response.status}: ${await response.text()}`);
    const { results } = (await response.json()) as { results: { index: number; status: number; task?: { taskId: string } }[] };
    const refused = results.filter((r) => (r.status !== 201 && r.status !== 200) || !r.task);
    if (refused.length > 0) throw new Error(`batch refused ${refused.length} task(s): ${JSON.stringify(refused.slice(0, 3))}`);
    return results.map((r) => r.task?.taskId as string);
  };
  const read = (taskId: string) => patiently(() => readOnce(taskId));
  let reads = 0;
  const readOnce = async (taskId: string) => {
    // Spread over the submitters (admins read any task): one user's read budget is 50 a second.
    const response = await fetch(`${outputs.HttpApiUrl}/api/tasks/${taskId}`, {
      headers: { authorization: `Bearer ${submitterTokens[reads++ % SUBMITTERS]}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw new Error(`GET /api/tasks/${taskId} answered ${response.status}`);
    return (await response.json()) as StoredTask;
  };
  const rawBefore = await rawSqsLatency(50);
  // Idle latency: one task at a time on a quiet swarm, submit → running from the stored stamps.
  const idleStarts: number[] = [];
  for (let i = 0; i < IDLE_SAMPLES; i++) {
    const taskId = await submitOne(options.tasks + i);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = await read(taskId);
      // Waits for it to finish, so the burst's count of finished tasks starts from a settled one.
      if (task.startedAt && task.finishedAt) {
        idleStarts.push(Date.parse(task.startedAt) - Date.parse(task.createdAt));
        break;
      }
      if (Date.now() > deadline) throw new Error(`idle task ${taskId} did not finish within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const idleSubmitToStart = summarize(idleStarts);
  const baseline = await finishedCount();

  const windowStart = markLog(options.emulatorLog);
  const submitStarted = Date.now();
  const indices = Array.from({ length: options.tasks }, (_, i) => i);
  const submitted =
    options.submit === "single"
      ? await mapWithConcurrency(indices, options.concurrency, async (i) => [await submitOne(i)])
      : await mapWithConcurrency(chunksOf(indices, MAX_BATCH), options.concurrency, submitMany);
  const taskIds = submitted.flatMap((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
  const submitSeconds = (Date.now() - submitStarted) / 1000;

  const deadline = Date.now() + 15 * 60_000;
  for (let finished = 0; finished < baseline + options.tasks; finished = await finishedCount()) {
    if (Date.now() > deadline)
      throw new Error(`only ${finished - baseline} of ${options.tasks} tasks finished within 15 minutes`);
    console.log(`[bench] ${finished - baseline}/${options.tasks} finished`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const finishedSeenAt = Date.now();
  const pollsInWindow = statusPolls - 1;
  // The counting window closes when the dashboard has every status change of the burst, not when
  // the tasks have finished: the broadcaster runs behind the tasks, and a window closed at the
  // last task counted only the part of its work done by then (a tenth, in the first runs).
  const burstIds = new Set(taskIds);
  const burstUpdates = () =>
    new Set(
      dashboard.frames.flatMap((frame) =>
        frame.type === "task_update" && burstIds.has(String(frame.data.taskId))
          ? [`${frame.data.taskId}:${frame.data.version}`]
          : [],
      ),
    ).size;
  const expectedUpdates = TASK_VERSIONS * options.tasks;
  const dashboardDeadline = Date.now() + DASHBOARD_CATCH_UP_MS;
  while (burstUpdates() < expectedUpdates) {
    if (Date.now() > dashboardDeadline)
      throw new Error(
        `the dashboard had ${burstUpdates()} of ${expectedUpdates} task updates ${DASHBOARD_CATCH_UP_MS / 1000} s after the tasks finished`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const windowEnd = markLog(options.emulatorLog);
  const windowEndedAt = Date.now();
  const stored = await mapWithConcurrency(taskIds, 16, read);
  const tasks = stored.map((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });

  const notOnce = tasks.filter((t) => t.status !== "completed" || t.attempt !== 1 || t.version !== 3);
  const at = (iso?: string) => Date.parse(iso ?? "");
  const firstCreated = Math.min(...tasks.map((t) => at(t.createdAt)));
  const lastFinished = Math.max(...tasks.map((t) => at(t.finishedAt)));
  const rawAfter = await rawSqsLatency(50);
  const raw = summarize([...rawBefore, ...rawAfter]);
  const rawLoop = await rawSqsBurst(options.tasks, options.concurrency, options.agentConcurrency);
  const burst = summarize(rawLoop.latencies);
  const rawLoopPerMinute = Math.round((options.tasks / (rawLoop.wallMs / 60_000)) * 10) / 10;
  const throughputPerMinute = Math.round((tasks.length / ((lastFinished - firstCreated) / 60_000)) * 10) / 10;

  const requests = requestsBetween(options.emulatorLog, windowStart, windowEnd);
  const invocations = await lambdaInvocationsBetween(outputs.endpoint, submitStarted, windowEndedAt);
  const totalInvocations = Object.values(invocations).reduce((sum, f) => sum + f.invocations, 0);
  const totalGbSeconds = Object.values(invocations).reduce((sum, f) => sum + f.gbSeconds, 0);
  const taskUpdates = dashboard.frames.filter((frame) => frame.type === "task_update");
  const dashboardFrames = dashboard.received.filter((frame) => frame.type === "task_update" || frame.type === "batch").length;
  dashboard.socket.close();
  const submitToStart = summarize(tasks.map((t) => at(t.startedAt) - at(t.createdAt)));
  const submitToComplete = summarize(tasks.map((t) => at(t.finishedAt) - at(t.createdAt)));
  return {
    tasks: options.tasks,
    agents: AGENT_TYPES.length,
    submit: options.submit === "single" ? "one POST /api/tasks per task" : `POST /api/tasks/batch, ${MAX_BATCH} a request`,
    submitConcurrency: options.concurrency,
    completedExactlyOnce: tasks.length - notOnce.length,
    notExactlyOnce: notOnce.slice(0, 10),
    submitSeconds: Math.round(submitSeconds * 10) / 10,
    submitRetries,
    submitters: SUBMITTERS,
    budgetWaits,
    wallSeconds: Math.round((lastFinished - firstCreated) / 100) / 10,
    throughputPerMinute,
    rawSqsLoop: {
      what: "send → receive → delete of the same number of messages at the same concurrency, same emulator, same run",
      wallSeconds: Math.round(rawLoop.wallMs / 100) / 10,
      perMinute: rawLoopPerMinute,
    },
    throughputOverRawLoop: Math.round((throughputPerMinute / rawLoopPerMinute) * 1000) / 1000,
    dashboard: {
      subscribedTo: ["tasks"],
      taskUpdatesReceived: taskUpdates.length,
      framesReceived: dashboardFrames,
      what: "caughtUpSeconds: from the status poll that saw every task finished to the dashboard holding all their updates (the poll itself lags by up to its 2 s interval)",
      caughtUpSeconds: Math.round((windowEndedAt - finishedSeenAt) / 100) / 10,
    },
    perTask: {
      lambdaInvocations: Math.round((totalInvocations / options.tasks) * 100) / 100,
      lambdaGbSeconds: Math.round((totalGbSeconds / options.tasks) * 10_000) / 10_000,
      awsRequestsByService: perTask(requests, options.tasks),
      invocationsByFunction: perTask(
        Object.fromEntries(Object.entries(invocations).map(([name, f]) => [name, f.invocations])),
        options.tasks,
      ),
    },
    window: {
      what: "from the first submit to the dashboard holding every status change of the burst; includes the benchmark's own submits and status polls",
      benchmarkRequests: {
        submits: options.submit === "single" ? options.tasks : Math.ceil(options.tasks / MAX_BATCH),
        statusPolls: pollsInWindow,
      },
      awsRequestsByService: requests,
      lambda: invocations,
    },
    submitToStartMs: submitToStart,
    submitToCompleteMs: submitToComplete,
    rawSqsSendToReceiveMs: { idle: raw, sameBurst: burst },
    submitToStartOverRawP50: {
      sameBurst: Math.round((submitToStart.p50 / burst.p50) * 100) / 100,
      idle: Math.round((submitToStart.p50 / raw.p50) * 100) / 100,
    },
    idleSubmitToStartMs: idleSubmitToStart,
    idleSubmitToStartOverRawLongPollP50: Math.round((idleSubmitToStart.p50 / raw.p50) * 100) / 100,
  };
}
