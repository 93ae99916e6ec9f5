import * as z from "zod";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables the agent functions read, one contract per concern: the agents stack writes each
 * with `toEnvironment` and `functions/agents/*` read it with `read`, so a key renamed on one side
 * breaks the typecheck, not a cold start. The registry's is `AgentsTableEnvironment` (published:
 * monitoring and the reviewers read it too).
 */
export const FleetLedgerEnvironment = envContract({ FLEET_LEDGER_TABLE: envVar.name() });

const ServiceNames = z.record(AgentType, z.string().min(1)).refine((names) => AGENT_TYPES.every((t) => names[t]), {
  message: "must name a service for every agent type",
});

/** The cluster and each agent type's ECS service in it. */
export const FleetServicesEnvironment = envContract({
  CLUSTER_NAME: envVar.name(),
  SERVICE_NAMES: envVar.json(ServiceNames),
});

/** The scaler's bounds (seed 001's triggers); it reads the counters' table beside them. */
export const ScalerEnvironment = envContract({
  TARGET_LATENCY_SECONDS: envVar.int({ min: 1 }),
  IDLE_MINUTES: envVar.int({ min: 1 }),
  SCALE_IN_COOLDOWN_MINUTES: envVar.int({ min: 0 }),
});
