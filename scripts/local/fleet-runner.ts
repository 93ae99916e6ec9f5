import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { AGENT_STOP_TIMEOUT_SECONDS } from "../../lib/constructs/agent-service";
import { type AgentProcess, containerEnvironment, startAgentProcess, stopLeftoverAgents } from "./agent-processes";
import { type ObservedTask, planFleet } from "./fleet-plan";
import type { LocalOutputs } from "./outputs";

export interface FleetRunnerOptions {
  readonly outputs: LocalOutputs;
  /** The bundled agent (see `buildAgent`). */
  readonly script: string;
  readonly log: (line: string) => void;
  /** @default 1000 */
  readonly pollMs?: number;
  /** Where the runner lists its agents (id, type, task, pid, log) as JSON, for people and tests. @default none */
  readonly stateFile?: string;
  /** Tasks that stopped while nobody watched (with the emulator); their stop is announced once at start. @default none */
  readonly announceStopped?: readonly string[];
}

/** One agent process, as the state file lists it. */
export interface FleetAgentRecord {
  readonly agentId: string;
  readonly agentType: AgentType;
  readonly taskArn: string;
  readonly pid: number;
  readonly logFile: string;
}

/** What the state file holds. */
interface FleetState {
  readonly updatedAt: string;
  readonly agents: FleetAgentRecord[];
}

/** One agent service as the last pass saw it. */
export interface ServiceView {
  readonly desired: number;
  /** Tasks whose last status is RUNNING. */
  readonly running: number;
  /** Agent processes for them. */
  readonly processes: number;
}

/** At most one nudge per service this often, so a slow emulator is not flooded. */
const NUDGE_EVERY_MS = 3_000;
/** Every ECS call gets a deadline; a stuck emulator must not stall the runner forever. */
const ECS_TIMEOUT_MS = 5_000;

const taskIdOf = (taskArn: string) => taskArn.split("/").pop() as string;

/**
 * Stands in for Fargate on a machine without Docker. The emulator's ECS keeps the services and
 * their task records; this runner follows them one for one (see `planFleet`): every task whose
 * last status is RUNNING gets an agent process (with its task definition's environment, its task
 * ARN and its task id as agent id), and a process whose task stops gets SIGTERM and, after the
 * stop timeout, SIGKILL — as ECS does. Three gaps of the emulator are filled here, never in the handlers:
 *  - a process that exits stops its task (ECS does this for an essential container), and a
 *    service running fewer tasks than desired is nudged to start replacements, which the
 *    emulator does not do after StopTask by itself;
 *  - the emulator emits no `ECS Task State Change` events, so for each task that stops the
 *    runner invokes that rule's target with the event ECS would have sent;
 *  - a restored emulator lists every task it saved as still wanted (`desiredStatus: RUNNING`)
 *    though it is STOPPED; those get no process, and their stop is announced like any other.
 * Agent processes an earlier runner left behind (its start was killed) are stopped first, so no
 * task ever has two. Canaries: test/e2e/local-fidelity/ecs-canaries.test.ts and restart-canaries.test.ts.
 */
export class FleetRunner {
  private readonly ecs = new ECSClient({ requestHandler: { requestTimeout: ECS_TIMEOUT_MS } });
  private readonly lambda = new LambdaClient({ requestHandler: { requestTimeout: ECS_TIMEOUT_MS } });
  private readonly processes = new Map<string, AgentProcess>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly environments = new Map<string, Record<string, string>>();
  private readonly lastNudge = new Map<AgentType, number>();
  private readonly announced = new Set<string>();
  private readonly views = new Map<AgentType, ServiceView>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: FleetRunnerOptions) {}

  /** The agent processes running now, by agent type. */
  get agents(): AgentProcess[] {
    return [...this.processes.values()];
  }

  /** Each agent service as the last pass saw it. */
  get services(): ReadonlyMap<AgentType, ServiceView> {
    return this.views;
  }

  /**
   * Follows the services until `stop`; resolves once the first pass has started every agent.
   * First stops any agent process an earlier runner (with the same state file) left running.
   */
  async start(): Promise<void> {
    if (this.options.stateFile && existsSync(this.options.stateFile)) {
      const previous = JSON.parse(readFileSync(this.options.stateFile, "utf8")) as FleetState;
      const stopped = await stopLeftoverAgents(previous.agents, this.options.script, AGENT_STOP_TIMEOUT_SECONDS * 1_000);
      if (stopped.length > 0)
        this.options.log(`[fleet] stopped ${stopped.length} agent process(es) an earlier start left running`);
      this.writeState();
    }
    for (const taskArn of this.options.announceStopped ?? []) {
      await this.announceStopped(taskArn).catch((error: unknown) =>
        this.options.log(
          `[fleet] could not record that task ${taskIdOf(taskArn)} stopped: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      this.announced.add(taskArn);
    }
    this.running = true;
    await this.tick();
    const loop = () => {
      if (!this.running) return;
      this.ticking = this.tick().finally(() => {
        if (this.running) this.timer = setTimeout(loop, this.options.pollMs ?? 1_000);
      });
    };
    this.timer = setTimeout(loop, this.options.pollMs ?? 1_000);
  }

  /** Resolves once exactly `count` agents run; rejects after `timeoutMs`. */
  async settled(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.processes.size !== count) {
      if (Date.now() > deadline)
        throw new Error(`the fleet runs ${this.processes.size} agents, not ${count}, after ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Resolves once every agent service runs as many tasks as it wants, each with one process;
   * rejects after `timeoutMs`, naming the services that do not.
   */
  async reconciled(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const off = () =>
      AGENT_TYPES.filter((type) => {
        const view = this.views.get(type);
        return !view || view.running !== view.desired || view.processes !== view.running;
      });
    while (off().length > 0) {
      signal?.throwIfAborted();
      if (Date.now() > deadline) {
        const detail = off()
          .map((type) => {
            const view = this.views.get(type);
            return view
              ? `${type}: ${view.desired} wanted, ${view.running} running, ${view.processes} processes`
              : `${type}: not seen`;
          })
          .join("; ");
        throw new Error(`the agent fleet did not settle within ${timeoutMs / 1000}s (${detail})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops following and stops every agent, each within the ECS stop timeout. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.processes.values()].map((agent) => agent.stop(AGENT_STOP_TIMEOUT_SECONDS * 1_000)));
    await Promise.all(this.stopping.values());
    this.ecs.destroy();
    this.lambda.destroy();
  }

  private async tick(): Promise<void> {
    try {
      const { outputs } = this.options;
      const { services = [] } = await this.ecs.send(
        new DescribeServicesCommand({
          cluster: outputs.ClusterName,
          services: AGENT_TYPES.map((t) => outputs.AgentServiceNames[t]),
        }),
      );
      for (const agentType of AGENT_TYPES) {
        const service = services.find((s) => s.serviceName === outputs.AgentServiceNames[agentType]);
        if (service) await this.follow(agentType, service.desiredCount ?? 0);
      }
    } catch (error) {
      this.options.log(
        `[fleet] could not read the services (${error instanceof Error ? error.message : String(error)}); retrying`,
      );
    }
  }

  private async follow(agentType: AgentType, desired: number): Promise<void> {
    const { outputs } = this.options;
    const serviceName = outputs.AgentServiceNames[agentType];
    const tasks = await this.tasksOf(serviceName);
    const mine = new Set([...this.processes].filter(([, agent]) => agent.agentType === agentType).map(([arn]) => arn));
    const plan = planFleet({
      tasks,
      processes: mine,
      stopping: new Set(this.stopping.keys()),
      announced: this.announced,
      desired,
    });
    for (const taskArn of plan.retire) {
      const agent = this.processes.get(taskArn);
      if (agent) this.retire(taskArn, agent);
    }
    for (const taskArn of plan.launch) await this.launch(agentType, taskArn);
    for (const taskArn of plan.ghosts) {
      this.options.log(
        `[fleet] ${agentType} task ${taskIdOf(taskArn)} did not survive the emulator's restart; recording its stop`,
      );
      await this.announceStopped(taskArn);
      this.announced.add(taskArn);
    }
    const running = tasks.filter((task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING").length;
    const processes = [...this.processes.values()].filter((agent) => agent.agentType === agentType).length;
    this.views.set(agentType, { desired, running, processes });
    const now = Date.now();
    if (plan.nudge && now - (this.lastNudge.get(agentType) ?? 0) > NUDGE_EVERY_MS) {
      this.lastNudge.set(agentType, now);
      await this.ecs.send(
        new UpdateServiceCommand({ cluster: outputs.ClusterName, service: serviceName, desiredCount: desired }),
      );
    }
  }

  /** The service's tasks ECS lists as wanted, with their last status (ListTasks alone cannot tell a restored, stopped one). */
  private async tasksOf(serviceName: string): Promise<ObservedTask[]> {
    const { ClusterName: cluster } = this.options.outputs;
    const { taskArns = [] } = await this.ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "RUNNING" }));
    const observed: ObservedTask[] = [];
    for (let i = 0; i < taskArns.length; i += 100) {
      const { tasks = [] } = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(i, i + 100) }));
      for (const task of tasks) {
        if (task.taskArn)
          observed.push({ taskArn: task.taskArn, lastStatus: task.lastStatus ?? "", desiredStatus: task.desiredStatus ?? "" });
      }
    }
    return observed;
  }

  private async launch(agentType: AgentType, taskArn: string): Promise<void> {
    const { outputs } = this.options;
    const { tasks = [] } = await this.ecs.send(new DescribeTasksCommand({ cluster: outputs.ClusterName, tasks: [taskArn] }));
    const definition = tasks[0]?.taskDefinitionArn ?? outputs.AgentTaskDefinitions[agentType];
    let environment = this.environments.get(definition);
    if (!environment) {
      environment = await containerEnvironment(this.ecs, definition);
      this.environments.set(definition, environment);
    }
    const agent = startAgentProcess({
      script: this.options.script,
      endpoint: outputs.endpoint,
      agentType,
      agentId: taskIdOf(taskArn),
      taskArn,
      environment,
    });
    this.processes.set(taskArn, agent);
    this.writeState();
    this.options.log(`[fleet] ${agentType} agent ${agent.agentId} started (log ${agent.logFile})`);
    void agent.exited.then((code) => this.exited(taskArn, agent, code));
  }

  /** Its task stopped (scale-in, restart, new deployment): SIGTERM, SIGKILL after the stop timeout. */
  private retire(taskArn: string, agent: AgentProcess): void {
    this.processes.delete(taskArn);
    this.writeState();
    this.options.log(`[fleet] ${agent.agentType} agent ${agent.agentId}: its task stopped; stopping the agent`);
    this.stopping.set(
      taskArn,
      agent
        .stop(AGENT_STOP_TIMEOUT_SECONDS * 1_000)
        .then(() => this.announceStopped(taskArn))
        .finally(() => this.stopping.delete(taskArn)),
    );
  }

  /** The process ended while its task was still running: as ECS does, the task stops with it. */
  private async exited(taskArn: string, agent: AgentProcess, code: number | NodeJS.Signals): Promise<void> {
    if (this.processes.get(taskArn) !== agent || !this.running) return;
    this.processes.delete(taskArn);
    this.writeState();
    this.options.log(`[fleet] ${agent.agentType} agent ${agent.agentId} exited (${code}); stopping its task`);
    try {
      await this.ecs.send(
        new StopTaskCommand({
          cluster: this.options.outputs.ClusterName,
          task: taskArn,
          reason: `Essential container in task exited (${code})`,
        }),
      );
      await this.announceStopped(taskArn);
    } catch (error) {
      this.options.log(
        `[fleet] could not stop task ${taskIdOf(taskArn)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private writeState(): void {
    if (!this.options.stateFile) return;
    const agents: FleetAgentRecord[] = [...this.processes.entries()].map(([taskArn, agent]) => ({
      agentId: agent.agentId,
      agentType: agent.agentType,
      taskArn,
      pid: agent.child.pid ?? -1,
      logFile: agent.logFile,
    }));
    // Written aside and renamed over: a reader (a test, a person) never sees a half-written file.
    const partial = `${this.options.stateFile}.${process.pid}.tmp`;
    const state: FleetState = { updatedAt: new Date().toISOString(), agents };
    writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(partial, this.options.stateFile);
  }

  /** Delivers the `ECS Task State Change` (STOPPED) event the emulator does not emit. */
  private async announceStopped(taskArn: string): Promise<void> {
    const { outputs } = this.options;
    const { tasks = [] } = await this.ecs.send(new DescribeTasksCommand({ cluster: outputs.ClusterName, tasks: [taskArn] }));
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
        stopCode: task?.stopCode ?? "UserInitiated",
      },
    };
    const result = await this.lambda.send(
      new InvokeCommand({
        FunctionName: outputs.RecordAgentTaskStateFunctionName,
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (result.FunctionError) throw new Error(`the task state handler failed: ${result.FunctionError}`);
  }
}
