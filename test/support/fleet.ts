import type { Agent } from "#agents/domain/agent";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { AgentRegistry, FleetController, FleetLedger, ScalingRecord, ServiceState } from "#agents/domain/ports";
import { applyLedgerWrite, LedgerConflictError, type LedgerWritePlan, type Versioned } from "#agents/domain/ledger-write";
import { freshLedger, type RecoveryLedger } from "#agents/domain/recovery-policy";
import type { AgentStatus, Workload } from "#kernel/bus/agent-status-changed";

/**
 * The AgentRegistry contract in memory: a stopped agent stays stopped, heartbeats from a
 * stopping or stopped agent are refused, and `list` is newest first without stopped agents
 * unless asked. Every status write that took effect is kept in `statusWrites`.
 */
export class InMemoryAgentRegistry implements AgentRegistry {
  readonly agents = new Map<string, Agent>();
  readonly statusWrites: { agentId: string; status: AgentStatus; reason: string; at: string }[] = [];

  constructor(agents: readonly Agent[] = []) {
    for (const agent of agents) this.agents.set(agent.agentId, structuredClone(agent));
  }

  async register(agent: Agent): Promise<void> {
    this.agents.set(agent.agentId, structuredClone(agent));
  }

  async heartbeat(agentId: string, workload: Workload, at: Date): Promise<boolean> {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status === "stopping" || agent.status === "stopped") return false;
    this.agents.set(agentId, { ...agent, heartbeatAt: at.toISOString(), workload, version: agent.version + 1 });
    return true;
  }

  async setStatus(agentId: string, status: AgentStatus, reason: string, at: Date): Promise<void> {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status === "stopped") return;
    this.statusWrites.push({ agentId, status, reason, at: at.toISOString() });
    this.agents.set(agentId, {
      ...agent,
      status,
      statusReason: reason,
      version: agent.version + 1,
      ...(status === "stopped" ? { stoppedAt: at.toISOString() } : {}),
    });
  }

  async get(agentId: string): Promise<Agent | undefined> {
    const agent = this.agents.get(agentId);
    return agent ? structuredClone(agent) : undefined;
  }

  async list(options: { agentType?: AgentType; includeStopped?: boolean } = {}): Promise<Agent[]> {
    return [...this.agents.values()]
      .filter(
        (a) => (!options.agentType || a.agentType === options.agentType) && (options.includeStopped || a.status !== "stopped"),
      )
      .sort((a, b) => b.registeredAt.localeCompare(a.registeredAt) || a.agentId.localeCompare(b.agentId))
      .map((a) => structuredClone(a));
  }

  /** The agent's status now, for assertions. */
  statusOf(agentId: string): AgentStatus | undefined {
    return this.agents.get(agentId)?.status;
  }

  /** The statuses the agent was given, in order. */
  statusesOf(agentId: string): AgentStatus[] {
    return this.statusWrites.filter((w) => w.agentId === agentId).map((w) => w.status);
  }
}

/**
 * The orchestrator in memory: one service per agent type whose running count follows its
 * desired count unless set apart. Every call that would change ECS is recorded.
 */
export class FakeFleetController implements FleetController {
  private readonly desiredByType = new Map<AgentType, number>();
  private readonly runningByType = new Map<AgentType, number>();
  private readonly arnsByType = new Map<AgentType, string[]>();
  readonly stoppedTasks: { taskArn: string; reason: string }[] = [];
  readonly desiredChanges: { agentType: AgentType; desired: number }[] = [];
  readonly redeployed: AgentType[] = [];

  constructor(desired: Partial<Record<AgentType, number>> = {}) {
    for (const [agentType, n] of Object.entries(desired) as [AgentType, number][]) this.desiredByType.set(agentType, n);
  }

  /** Makes the service report `running` tasks (and these ARNs) whatever its desired count. */
  setRunning(agentType: AgentType, running: number, taskArns: readonly string[] = []): void {
    this.runningByType.set(agentType, running);
    this.arnsByType.set(agentType, [...taskArns]);
  }

  desiredOf(agentType: AgentType): number {
    return this.desiredByType.get(agentType) ?? 0;
  }

  /** How many changes were asked of ECS (stops, size changes, deployments). */
  get changeCalls(): number {
    return this.stoppedTasks.length + this.desiredChanges.length + this.redeployed.length;
  }

  async services(): Promise<ServiceState[]> {
    return AGENT_TYPES.map((agentType) => this.stateOf(agentType));
  }

  async service(agentType: AgentType): Promise<ServiceState> {
    return this.stateOf(agentType);
  }

  async stopTask(taskArn: string, reason: string): Promise<void> {
    this.stoppedTasks.push({ taskArn, reason });
  }

  async setDesired(agentType: AgentType, desired: number): Promise<void> {
    this.desiredByType.set(agentType, desired);
    this.desiredChanges.push({ agentType, desired });
  }

  async redeploy(agentType: AgentType): Promise<void> {
    this.redeployed.push(agentType);
  }

  private stateOf(agentType: AgentType): ServiceState {
    const desired = this.desiredOf(agentType);
    return {
      agentType,
      desired,
      running: this.runningByType.get(agentType) ?? desired,
      pending: 0,
      taskArns: this.arnsByType.get(agentType) ?? [],
    };
  }
}

/**
 * The FleetLedger contract in memory: versioned rows, each write applied with the domain's
 * `applyLedgerWrite`, so a stale write is refused as the DynamoDB condition refuses it.
 * `unconditional` turns the check off, for the control of a race test: writes then land
 * whatever version they read, as the ledger's unconditional puts once did.
 */
export class InMemoryFleetLedger implements FleetLedger {
  readonly recoveries = new Map<string, Versioned<RecoveryLedger>>();
  readonly scalings = new Map<AgentType, Versioned<ScalingRecord>>();
  /** Writes refused because the row had changed since it was read. */
  conflicts = 0;
  private readonly interruptions: { row: string; run: () => Promise<void> }[] = [];

  constructor(private readonly options: { unconditional?: boolean } = {}) {}

  /**
   * Runs `run` once, right after the next read of `row` (`SCALING#<type>` or
   * `RECOVERY#<component>`) and before the reader gets its answer: another writer slipping in
   * between a read and its write.
   */
  interruptAfterNextRead(row: string, run: () => Promise<void>): void {
    this.interruptions.push({ row, run });
  }

  async recovery(component: string): Promise<Versioned<RecoveryLedger>> {
    const read = structuredClone(this.recoveries.get(component) ?? { value: freshLedger(component), version: 0 });
    await this.interrupt(`RECOVERY#${component}`);
    return read;
  }

  async saveRecovery(plan: LedgerWritePlan<RecoveryLedger>): Promise<void> {
    const component = plan.set.component;
    this.recoveries.set(component, this.apply(`RECOVERY#${component}`, this.recoveries.get(component), plan));
  }

  async scaling(agentType: AgentType): Promise<Versioned<ScalingRecord>> {
    const read = structuredClone(this.scalings.get(agentType) ?? { value: { samples: [] }, version: 0 });
    await this.interrupt(`SCALING#${agentType}`);
    return read;
  }

  async saveScaling(agentType: AgentType, plan: LedgerWritePlan<ScalingRecord>): Promise<void> {
    this.scalings.set(agentType, this.apply(`SCALING#${agentType}`, this.scalings.get(agentType), plan));
  }

  /** The type's scaling record now (empty if never written), for assertions. */
  scalingOf(agentType: AgentType): ScalingRecord {
    return structuredClone(this.scalings.get(agentType)?.value ?? { samples: [] });
  }

  /** The component's recovery ledger now (fresh if never written), for assertions. */
  recoveryOf(component: string): RecoveryLedger {
    return structuredClone(this.recoveries.get(component)?.value ?? freshLedger(component));
  }

  /** Sets a row as if written before the test, at the next version. */
  seedScaling(agentType: AgentType, record: ScalingRecord): void {
    const version = (this.scalings.get(agentType)?.version ?? 0) + 1;
    this.scalings.set(agentType, { value: structuredClone(record), version });
  }

  private apply<T>(row: string, current: Versioned<T> | undefined, plan: LedgerWritePlan<T>): Versioned<T> {
    const unconditional = this.options.unconditional === true;
    try {
      return structuredClone(
        applyLedgerWrite(row, current, unconditional ? { ...plan, expectVersion: current?.version ?? 0 } : plan),
      );
    } catch (error) {
      if (error instanceof LedgerConflictError) this.conflicts++;
      throw error;
    }
  }

  private async interrupt(row: string): Promise<void> {
    const index = this.interruptions.findIndex((i) => i.row === row);
    if (index < 0) return;
    const [interruption] = this.interruptions.splice(index, 1);
    await interruption?.run();
  }
}
