import type { Agent } from "./agent";
import type { AgentType } from "#kernel/agent-catalog";
import type { LedgerWritePlan, Versioned } from "./ledger-write";
import type { RecoveryLedger } from "./recovery-policy";
import type { FleetSample } from "./scaling";
import type { AgentStatus, Workload } from "#kernel/bus/agent-status-changed";

/** Where agents are known: each registers, heartbeats, and is marked as the monitor sees it. */
export interface AgentRegistry {
  register(agent: Agent): Promise<void>;
  /** Records a heartbeat; answers false when the agent is no longer registered as running. */
  heartbeat(agentId: string, workload: Workload, at: Date): Promise<boolean>;
  /** Sets a status unless the agent has stopped (a stopped agent stays stopped). */
  setStatus(agentId: string, status: AgentStatus, reason: string, at: Date): Promise<void>;
  get(agentId: string): Promise<Agent | undefined>;
  /** Agents of a type (or all), newest first; stopped ones only when asked. */
  list(options?: { agentType?: AgentType; includeStopped?: boolean }): Promise<Agent[]>;
}

/** One agent type's service, as the orchestrator reports it. */
export interface ServiceState {
  readonly agentType: AgentType;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** Task ARNs the service runs now. */
  readonly taskArns: readonly string[];
}

/** The container orchestrator under the fleet (ECS). */
export interface FleetController {
  services(): Promise<ServiceState[]>;
  service(agentType: AgentType): Promise<ServiceState>;
  stopTask(taskArn: string, reason: string): Promise<void>;
  setDesired(agentType: AgentType, desired: number): Promise<void>;
  /** Replaces every task of the type (a new deployment). */
  redeploy(agentType: AgentType): Promise<void>;
}

/**
 * What the health monitor, the scaler and the agent API remember between runs, one row per
 * component (`RECOVERY#`) and per type (`SCALING#`). Several of them read, decide and write the
 * same row, so every write is a plan conditional on the version read (see `ledger-write.ts`).
 */
export interface FleetLedger {
  /** A component's recovery ledger; a fresh one at version 0 if none was written. */
  recovery(component: string): Promise<Versioned<RecoveryLedger>>;
  /** @throws LedgerConflictError when the row is no longer at the plan's version. */
  saveRecovery(plan: LedgerWritePlan<RecoveryLedger>): Promise<void>;
  /** A type's scaling record; an empty one at version 0 if none was written. */
  scaling(agentType: AgentType): Promise<Versioned<ScalingRecord>>;
  /** @throws LedgerConflictError when the row is no longer at the plan's version. */
  saveScaling(agentType: AgentType, plan: LedgerWritePlan<ScalingRecord>): Promise<void>;
}

/** A type's scaling memory: recent samples, the last scale-in, and a manual override if one holds. */
export interface ScalingRecord {
  readonly samples: readonly FleetSample[];
  readonly lastScaleInAt?: string;
  /** Set by `PUT /api/agent-types/{type}/scale`; the scaler keeps to it until `manualUntil`. */
  readonly manualDesired?: number;
  readonly manualUntil?: string;
  /** Who set the manual size. */
  readonly manualBy?: string;
  readonly lastDecision?: { readonly at: string; readonly desired: number; readonly reasons: readonly string[] };
}
