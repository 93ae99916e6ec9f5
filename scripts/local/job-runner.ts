import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { JOB_CONTAINER } from "#jobs/published/job-environment";
import { JOB_STOP_TIMEOUT_SECONDS } from "../../lib/stacks/jobs-stack";
import { emulatorAwsEnv } from "./aws-env";
import type { LocalOutputs } from "./outputs";
import { BUILD_DIR, LOGS_DIR, REPO_ROOT } from "./paths";

/** Bundles the job runner once, as the job image does. Returns the script path. */
export function buildJobRunner(): string {
  const outdir = path.join(BUILD_DIR, "job");
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "containers/job/build.mjs"), outdir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the job runner failed:\n${result.stderr}`);
  return path.join(outdir, "job.mjs");
}

export interface JobRunnerOptions {
  readonly outputs: LocalOutputs;
  /** The bundled job runner (see `buildJobRunner`). */
  readonly script: string;
  readonly log: (line: string) => void;
  /** @default 500 */
  readonly pollMs?: number;
  /** Where the runner lists its job processes (job id, task, pid, log) as JSON, for people and tests. @default none */
  readonly stateFile?: string;
}

/** One job process, as the state file lists it. */
export interface JobProcessRecord {
  readonly jobId: string;
  readonly taskArn: string;
  readonly pid: number;
  readonly logFile: string;
}

interface JobProcess extends JobProcessRecord {
  readonly child: ChildProcess;
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Every ECS call gets a deadline; a stuck emulator must not stall the runner. */
const ECS_TIMEOUT_MS = 5_000;
const taskIdOf = (taskArn: string) => taskArn.split("/").pop() as string;

/**
 * Stands in for Fargate for job tasks on a machine without Docker (as the fleet runner does for
 * the agent services). The emulator keeps the tasks the back end starts with RunTask RUNNING
 * until StopTask; this runner gives each RUNNING task of the job family one process, with the
 * task definition's container environment and the task's container overrides (`JOB_ID`), and:
 *  - when the process exits, stops its task, as ECS does when an essential container exits;
 *  - when the task is stopped (a cancel, the dead-job check), sends the process SIGTERM and,
 *    after the stop timeout, SIGKILL;
 *  - for every task that stops, invokes the dead-job check with the `ECS Task State Change`
 *    event the emulator does not emit (on AWS, the rule on the jobs cluster delivers it).
 * Canary: test/e2e/local-fidelity/ecs-job-task-canaries.test.ts.
 */
export class JobRunner {
  private readonly ecs = new ECSClient({ requestHandler: { requestTimeout: ECS_TIMEOUT_MS } });
  private readonly lambda = new LambdaClient({ requestHandler: { requestTimeout: ECS_TIMEOUT_MS } });
  private readonly processes = new Map<string, JobProcess>();
  private readonly environments = new Map<string, Record<string, string>>();
  private readonly retiring = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: JobRunnerOptions) {}

  /** The job processes running now. */
  get jobs(): JobProcessRecord[] {
    return [...this.processes.values()].map(({ jobId, taskArn, pid, logFile }) => ({ jobId, taskArn, pid, logFile }));
  }

  async start(): Promise<void> {
    this.running = true;
    this.writeState();
    await this.tick();
    const loop = () => {
      if (!this.running) return;
      this.ticking = this.tick().finally(() => {
        if (this.running) this.timer = setTimeout(loop, this.options.pollMs ?? 500);
      });
    };
    this.timer = setTimeout(loop, this.options.pollMs ?? 500);
  }

  /** Stops following; every job process is stopped as its task would be. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.processes.values()].map((job) => this.terminate(job)));
    await Promise.all(this.retiring);
    this.processes.clear();
    this.writeState();
    this.ecs.destroy();
    this.lambda.destroy();
  }

  private async tick(): Promise<void> {
    try {
      const tasks = await this.runningTasks();
      const live = new Set(tasks.map((task) => task.taskArn));
      for (const task of tasks) if (task.taskArn && !this.processes.has(task.taskArn)) await this.launch(task);
      for (const [taskArn, job] of this.processes) if (!live.has(taskArn)) this.retire(job);
    } catch (error) {
      this.options.log(
        `[jobs] could not read the job tasks (${error instanceof Error ? error.message : String(error)}); retrying`,
      );
    }
  }

  private async runningTasks(): Promise<Task[]> {
    const { JobClusterName: cluster, JobTaskFamily: family } = this.options.outputs;
    const { taskArns = [] } = await this.ecs.send(new ListTasksCommand({ cluster, family, desiredStatus: "RUNNING" }));
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }));
    return tasks.filter((task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING");
  }

  /** The job container's environment in the task definition, with the task's overrides over it (what ECS gives the container). */
  private async environmentOf(task: Task): Promise<Record<string, string>> {
    const definition = task.taskDefinitionArn ?? this.options.outputs.JobTaskFamily;
    let base = this.environments.get(definition);
    if (!base) {
      const { taskDefinition } = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: definition }));
      const container = taskDefinition?.containerDefinitions?.find((c) => c.name === JOB_CONTAINER);
      if (!container) throw new Error(`task definition ${definition} has no "${JOB_CONTAINER}" container`);
      base = Object.fromEntries((container.environment ?? []).map((e) => [e.name ?? "", e.value ?? ""]));
      this.environments.set(definition, base);
    }
    const override = task.overrides?.containerOverrides?.find((c) => c.name === JOB_CONTAINER);
    return { ...base, ...Object.fromEntries((override?.environment ?? []).map((e) => [e.name ?? "", e.value ?? ""])) };
  }

  private async launch(task: Task): Promise<void> {
    const taskArn = task.taskArn as string;
    const environment = await this.environmentOf(task);
    const jobId = environment.JOB_ID ?? taskIdOf(taskArn);
    mkdirSync(LOGS_DIR, { recursive: true });
    const logFile = path.join(LOGS_DIR, `job-${jobId}.log`);
    const log = createWriteStream(logFile, { flags: "w" });
    const child = spawn(process.execPath, ["--enable-source-maps", this.options.script], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...environment,
        ...emulatorAwsEnv(this.options.outputs.endpoint),
        TASK_ARN: taskArn,
        POWERTOOLS_DEV: "false",
      },
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | NodeJS.Signals>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? signal ?? 0)),
    );
    const job: JobProcess = { jobId, taskArn, pid: child.pid ?? -1, logFile, child, exited };
    this.processes.set(taskArn, job);
    this.writeState();
    this.options.log(`[jobs] job ${jobId} started in task ${taskIdOf(taskArn)} (log ${logFile})`);
    void exited.then((code) => this.exited(job, code));
  }

  /** The process ended while its task ran: the task stops with it, and its stop is announced. */
  private async exited(job: JobProcess, code: number | NodeJS.Signals): Promise<void> {
    if (this.processes.get(job.taskArn) !== job || !this.running) return;
    this.processes.delete(job.taskArn);
    this.writeState();
    this.options.log(`[jobs] job ${job.jobId} exited (${code}); stopping its task`);
    try {
      await this.ecs.send(
        new StopTaskCommand({
          cluster: this.options.outputs.JobClusterName,
          task: job.taskArn,
          reason: `Essential container in task exited (${code})`,
        }),
      );
      await this.announceStopped(job.taskArn);
    } catch (error) {
      this.options.log(
        `[jobs] could not stop task ${taskIdOf(job.taskArn)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Its task was stopped (cancel, timeout, dead-job check): SIGTERM, SIGKILL after the stop timeout, then the stop announced. */
  private retire(job: JobProcess): void {
    this.processes.delete(job.taskArn);
    this.writeState();
    this.options.log(`[jobs] job ${job.jobId}: its task stopped; stopping the process`);
    const done = this.terminate(job)
      .then(() => this.announceStopped(job.taskArn))
      .catch((error: unknown) => this.options.log(`[jobs] could not announce the stop of ${job.jobId}: ${String(error)}`))
      .finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  private async terminate(job: JobProcess): Promise<void> {
    if (job.child.exitCode !== null || job.child.signalCode !== null) return;
    job.child.kill("SIGTERM");
    const timer = setTimeout(() => job.child.kill("SIGKILL"), JOB_STOP_TIMEOUT_SECONDS * 1_000);
    await job.exited;
    clearTimeout(timer);
  }

  /** Delivers the `ECS Task State Change` (STOPPED) event the emulator does not emit to the dead-job check. */
  private async announceStopped(taskArn: string): Promise<void> {
    const { outputs } = this.options;
    const { tasks = [] } = await this.ecs.send(new DescribeTasksCommand({ cluster: outputs.JobClusterName, tasks: [taskArn] }));
    const task = tasks[0];
    const event = {
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      account: taskArn.split(":")[4],
      time: new Date().toISOString(),
      region: outputs.region,
      resources: [taskArn],
      detail: {
        clusterArn: task?.clusterArn,
        taskArn,
        group: task?.group,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stoppedReason: task?.stoppedReason ?? "Task stopped",
      },
    };
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: outputs.JobCheckFunctionName,
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
  }

  private writeState(): void {
    if (!this.options.stateFile) return;
    // Written aside and renamed over: a reader never sees a half-written file.
    const partial = `${this.options.stateFile}.${process.pid}.tmp`;
    writeFileSync(partial, `${JSON.stringify({ updatedAt: new Date().toISOString(), jobs: this.jobs }, null, 2)}\n`);
    renameSync(partial, this.options.stateFile);
  }
}
