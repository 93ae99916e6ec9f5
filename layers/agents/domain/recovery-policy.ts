import * as z from "zod";
import type { Agent } from "./agent";
import type { AgentType } from "#kernel/agent-catalog";
import type { HealthVerdict } from "./health";

/** Seed 001's recovery actions. */
export const RecoveryAction = z.enum(["RESTART", "RECREATE", "SCALE_UP", "FAILOVER", "ALERT_ONLY"]);
export type RecoveryAction = z.infer<typeof RecoveryAction>;

/** Seed 001's recovery policy: 3 attempts per component, 5 minutes apart, then the breaker opens. */
export const RECOVERY_POLICY = {
  maxAttempts: 3,
  cooldownSeconds: 300,
  /** How long an open breaker holds before allowing one more attempt (half-open). */
  breakerResetSeconds: 1_800,
  /** History entries kept per component. */
  historyLength: 20,
} as const;

export const RecoveryRecord = z.object({
  at: z.iso.datetime(),
  action: RecoveryAction,
  reason: z.string(),
  agentId: z.string().optional(),
});
export type RecoveryRecord = z.infer<typeof RecoveryRecord>;

/** What the monitor remembers of one component (an agent type's service) between runs. */
export const RecoveryLedger = z.object({
  component: z.string(),
  attempts: z.number().int().min(0),
  lastAttemptAt: z.iso.datetime().optional(),
  breaker: z.enum(["closed", "open"]),
  openedAt: z.iso.datetime().optional(),
  history: z.array(RecoveryRecord),
});
export type RecoveryLedger = z.infer<typeof RecoveryLedger>;

export const freshLedger = (component: string): RecoveryLedger => ({ component, attempts: 0, breaker: "closed", history: [] });

/** One agent type as the monitor sees it this run. */
export interface TypeSituation {
  readonly agentType: AgentType;
  readonly agents: readonly { agent: Agent; verdict: HealthVerdict }[];
  readonly desiredCount: number;
  readonly maxAgents: number;
}

export type RecoveryDecision =
  | { readonly action: "none"; readonly reason: string; readonly ledger: RecoveryLedger }
  | { readonly action: RecoveryAction; readonly agentId?: string; readonly reason: string; readonly ledger: RecoveryLedger };

const secondsSince = (iso: string | undefined, now: Date) =>
  iso ? (now.getTime() - Date.parse(iso)) / 1_000 : Number.POSITIVE_INFINITY;

function record(ledger: RecoveryLedger, now: Date, action: RecoveryAction, reason: string, agentId?: string): RecoveryLedger {
  const entry: RecoveryRecord = { at: now.toISOString(), action, reason, ...(agentId ? { agentId } : {}) };
  return {
    ...ledger,
    attempts: ledger.attempts + 1,
    lastAttemptAt: entry.at,
    history: [entry, ...ledger.history].slice(0, RECOVERY_POLICY.historyLength),
  };
}

/**
 * What to do about one agent type, given how its agents are and what was tried before.
 *
 *   all healthy ─────────────────────────────▶ nothing (and a past incident is closed)
 *   breaker open, not yet reset ──────────────▶ nothing (the opening was alerted)
 *   last attempt under 5 min ago ─────────────▶ nothing (cooling down)
 *   3 attempts made ──────────────────────────▶ ALERT_ONLY, breaker opens
 *   unhealthy, no healthy agent left ─────────▶ FAILOVER (stop it, start a standby)
 *   unhealthy, third attempt ─────────────────▶ RECREATE (replace every task)
 *   unhealthy ────────────────────────────────▶ RESTART (its service replaces it)
 *   degraded by load, room to grow ───────────▶ SCALE_UP
 *   degraded otherwise ───────────────────────▶ ALERT_ONLY
 *
 * Every action counts as an attempt; the type is "recovered" only when all its agents are
 * healthy again, which resets the count.
 */
export function decideRecovery(situation: TypeSituation, previous: RecoveryLedger, now: Date): RecoveryDecision {
  let ledger = previous;
  const unhealthy = situation.agents.filter((a) => a.verdict.status === "unhealthy");
  const degraded = situation.agents.filter((a) => a.verdict.status === "degraded");
  const healthy = situation.agents.filter((a) => a.verdict.status === "healthy");

  if (unhealthy.length === 0 && degraded.length === 0) {
    const recovered = ledger.attempts > 0 || ledger.breaker === "open";
    return {
      action: "none",
      reason: recovered ? "recovered: every agent is healthy" : "every agent is healthy",
      // The attempt count starts over; the cooldown does not, or a flapping type could be acted on every minute.
      ledger: recovered
        ? {
            ...freshLedger(ledger.component),
            history: ledger.history,
            ...(ledger.lastAttemptAt ? { lastAttemptAt: ledger.lastAttemptAt } : {}),
          }
        : ledger,
    };
  }
  if (ledger.breaker === "open") {
    if (secondsSince(ledger.openedAt, now) < RECOVERY_POLICY.breakerResetSeconds)
      return { action: "none", reason: "circuit open: waiting before trying again", ledger };
    // Half-open: one more attempt; failing it reopens the breaker.
    ledger = { ...ledger, breaker: "closed", attempts: RECOVERY_POLICY.maxAttempts - 1 };
  }
  if (secondsSince(ledger.lastAttemptAt, now) < RECOVERY_POLICY.cooldownSeconds)
    return { action: "none", reason: "cooling down after the last attempt", ledger };
  if (ledger.attempts >= RECOVERY_POLICY.maxAttempts) {
    const reason = `circuit opened after ${ledger.attempts} recovery attempts; ${unhealthy.length} unhealthy, ${degraded.length} degraded`;
    return {
      action: "ALERT_ONLY",
      reason,
      ledger: { ...record(ledger, now, "ALERT_ONLY", reason), breaker: "open", openedAt: now.toISOString() },
    };
  }

  const target = unhealthy[0];
  if (target) {
    const why = `agent ${target.agent.agentId} is unhealthy: ${target.verdict.reason}`;
    const action: RecoveryAction =
      healthy.length === 0 ? "FAILOVER" : ledger.attempts === RECOVERY_POLICY.maxAttempts - 1 ? "RECREATE" : "RESTART";
    return { action, agentId: target.agent.agentId, reason: why, ledger: record(ledger, now, action, why, target.agent.agentId) };
  }
  const overloaded = degraded.find((a) => /CPU|memory/.test(a.verdict.reason));
  if (overloaded && situation.desiredCount < situation.maxAgents) {
    const why = `agent ${overloaded.agent.agentId} is overloaded: ${overloaded.verdict.reason}`;
    return {
      action: "SCALE_UP",
      agentId: overloaded.agent.agentId,
      reason: why,
      ledger: record(ledger, now, "SCALE_UP", why, overloaded.agent.agentId),
    };
  }
  const first = degraded[0] as (typeof degraded)[number];
  const why = `agent ${first.agent.agentId} is degraded: ${first.verdict.reason}`;
  return {
    action: "ALERT_ONLY",
    agentId: first.agent.agentId,
    reason: why,
    ledger: record(ledger, now, "ALERT_ONLY", why, first.agent.agentId),
  };
}
