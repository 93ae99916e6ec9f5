import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { Recommendation, RiskLevel, TunableSetting } from "#kernel/bus/optimization";
import { deterministicId } from "#shared/ids";
import { TIMEOUT_SECONDS } from "#kernel/task-vocabulary";
import type { TypeTaskFigures } from "#tasks/published/task-figures";

/** What the two reviewers look at. */
export type ReviewFocus = "reliability" | "performance";

/** What each reviewer type (each agent type serving `metrics.review`) looks at. */
export const REVIEW_FOCUS = {
  "api-reliability": "reliability",
  "performance-optimizer": "performance",
} as const satisfies Partial<Record<AgentType, ReviewFocus>>;
export type ReviewerType = keyof typeof REVIEW_FOCUS;

/** One agent type's figures, as the reviewer reads them from the task counters and the registry. */
export interface TypeMetrics {
  readonly agentType: AgentType;
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  /** Failed, dead-lettered and expired. */
  readonly unsuccessful: number;
  readonly deadLettered: number;
  /** Attempts that ran out of time, ever, and the mean timeout those tasks had. */
  readonly timedOut: number;
  readonly avgTimeoutSecondsOfTimedOut: number | undefined;
  readonly avgExecutionMs: number | undefined;
  readonly avgQueueMs: number | undefined;
  readonly agents: number;
  /** Means over the type's live agents; undefined without agents. */
  readonly cpuPercent: number | undefined;
  readonly memoryPercent: number | undefined;
}

/** The settings in force, which recommendations propose to change. */
export interface CurrentSettings {
  readonly retryBaseDelaySeconds: number;
  readonly maxReceiveCount: number;
  readonly maxConcurrentTasksPerAgent: number;
  readonly maxAgentsPerType: number;
  readonly targetLatencySeconds: number;
}

/** Below this many finished tasks a failure rate says little: no reliability advice. */
export const MIN_FINISHED_FOR_ADVICE = 20;

export const REVIEW_RULES = {
  /** A type failing more often than this needs gentler retries. */
  failureRate: 0.1,
  /** Timeouts above this share of finished tasks suggest the timeout is too tight. */
  timeoutShare: 0.05,
  /** Mean CPU above this: fewer tasks per agent. */
  hotCpuPercent: 80,
  /** Mean memory above this: fewer tasks per agent. */
  hotMemoryPercent: 85,
  /** Mean CPU below this while work waits: more tasks per agent. */
  coolCpuPercent: 30,
} as const;

/** SQS delays a retry 15 minutes at most. */
const MAX_RETRY_DELAY_SECONDS = 900;
const MAX_TASK_TIMEOUT_SECONDS = TIMEOUT_SECONDS.max;

interface Draft {
  readonly agentType?: AgentType;
  readonly setting: TunableSetting;
  readonly currentValue: number;
  readonly proposedValue: number;
  readonly risk: RiskLevel;
  readonly rationale: string;
  readonly evidence: Record<string, number>;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function reliabilityDrafts(m: TypeMetrics, s: CurrentSettings): Draft[] {
  const finished = m.completed + m.unsuccessful;
  if (finished < MIN_FINISHED_FOR_ADVICE) return [];
  const failureRate = m.unsuccessful / finished;
  const drafts: Draft[] = [];
  const longerBackoff = Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, s.retryBaseDelaySeconds * 2));
  if (failureRate > REVIEW_RULES.failureRate && longerBackoff > s.retryBaseDelaySeconds) {
    drafts.push({
      agentType: m.agentType,
      setting: "retryBaseDelaySeconds",
      currentValue: s.retryBaseDelaySeconds,
      proposedValue: longerBackoff,
      risk: "low",
      rationale: `${m.agentType} fails ${pct(failureRate)} of its tasks: back off longer between retries so a struggling dependency can recover`,
      evidence: { finished, unsuccessful: m.unsuccessful, failureRate },
    });
  }
  if (m.deadLettered > 0 && failureRate > REVIEW_RULES.failureRate && s.maxReceiveCount < 10) {
    drafts.push({
      agentType: m.agentType,
      setting: "maxReceiveCount",
      currentValue: s.maxReceiveCount,
      proposedValue: s.maxReceiveCount + 2,
      risk: "medium",
      rationale: `${m.deadLettered} ${m.agentType} task(s) reached the dead-letter queue: allow more deliveries before giving up`,
      evidence: { deadLettered: m.deadLettered, failureRate },
    });
  }
  const timeoutShare = m.timedOut / finished;
  const timeout = m.avgTimeoutSecondsOfTimedOut;
  if (timeoutShare > REVIEW_RULES.timeoutShare && timeout !== undefined && timeout < MAX_TASK_TIMEOUT_SECONDS) {
    drafts.push({
      agentType: m.agentType,
      setting: "taskTimeoutSeconds",
      currentValue: Math.round(timeout),
      proposedValue: Math.min(MAX_TASK_TIMEOUT_SECONDS, Math.round(timeout * 2)),
      risk: "medium",
      rationale: `${pct(timeoutShare)} of ${m.agentType} attempts timed out at about ${Math.round(timeout)}s: give its tasks a longer timeout`,
      evidence: { timedOut: m.timedOut, finished, avgExecutionMs: Math.round(m.avgExecutionMs ?? 0) },
    });
  }
  return drafts;
}

function performanceDrafts(m: TypeMetrics, s: CurrentSettings): Draft[] {
  const drafts: Draft[] = [];
  const hot = (m.cpuPercent ?? 0) > REVIEW_RULES.hotCpuPercent || (m.memoryPercent ?? 0) > REVIEW_RULES.hotMemoryPercent;
  if (m.agents > 0 && hot && s.maxConcurrentTasksPerAgent > 1) {
    drafts.push({
      agentType: m.agentType,
      setting: "maxConcurrentTasksPerAgent",
      currentValue: s.maxConcurrentTasksPerAgent,
      proposedValue: s.maxConcurrentTasksPerAgent - 1,
      risk: "low",
      rationale: `${m.agentType} agents run hot (CPU ${Math.round(m.cpuPercent ?? 0)}%, memory ${Math.round(m.memoryPercent ?? 0)}%): run fewer tasks at once per agent`,
      evidence: { cpuPercent: m.cpuPercent ?? 0, memoryPercent: m.memoryPercent ?? 0, agents: m.agents },
    });
  }
  const waitsTooLong = m.avgQueueMs !== undefined && m.avgQueueMs > s.targetLatencySeconds * 1_000;
  if (waitsTooLong && m.queued > 0) {
    // Idle means idle on both counts: an agent short of memory must not be given more to do.
    const cool = m.agents > 0 && !hot && (m.cpuPercent ?? 100) < REVIEW_RULES.coolCpuPercent;
    drafts.push(
      cool
        ? {
            agentType: m.agentType,
            setting: "maxConcurrentTasksPerAgent",
            currentValue: s.maxConcurrentTasksPerAgent,
            proposedValue: Math.min(50, s.maxConcurrentTasksPerAgent + 1),
            risk: "low",
            rationale: `${m.agentType} tasks wait ${Math.round((m.avgQueueMs ?? 0) / 1_000)}s on average while its agents idle at ${Math.round(m.cpuPercent ?? 0)}% CPU: run more tasks at once per agent`,
            evidence: { avgQueueMs: Math.round(m.avgQueueMs ?? 0), queued: m.queued, cpuPercent: m.cpuPercent ?? 0 },
          }
        : {
            agentType: m.agentType,
            setting: "maxAgentsPerType",
            currentValue: s.maxAgentsPerType,
            proposedValue: Math.min(100, s.maxAgentsPerType + Math.max(1, Math.ceil(s.maxAgentsPerType / 2))),
            risk: "medium",
            rationale: `${m.agentType} tasks wait ${Math.round((m.avgQueueMs ?? 0) / 1_000)}s on average, beyond the ${s.targetLatencySeconds}s target: allow more agents per type`,
            evidence: { avgQueueMs: Math.round(m.avgQueueMs ?? 0), queued: m.queued, agents: m.agents },
          },
    );
  }
  return drafts;
}

/**
 * Reads the swarm's figures and proposes setting changes, each with its risk and evidence.
 * Reliability looks at failures, dead letters and timeouts; performance at CPU, memory and
 * queue time. Deterministic: the same figures in the same review window give the same
 * recommendation ids, so a repeated review proposes nothing twice.
 *
 * @example
 * reviewMetrics("reliability", metrics, settings, { agentId, agentType: "api-reliability" }, now)
 */
export function reviewMetrics(
  focus: ReviewFocus,
  metrics: readonly TypeMetrics[],
  settings: CurrentSettings,
  proposedBy: Recommendation["proposedBy"],
  now: Date,
  windowMinutes = 15,
): Recommendation[] {
  const window = Math.floor(now.getTime() / (windowMinutes * 60_000));
  const ordered = [...metrics].sort((a, b) => AGENT_TYPES.indexOf(a.agentType) - AGENT_TYPES.indexOf(b.agentType));
  return ordered
    .flatMap((m) => (focus === "reliability" ? reliabilityDrafts(m, settings) : performanceDrafts(m, settings)))
    .map((draft) => ({
      recommendationId: deterministicId(
        "rec",
        focus,
        `${draft.agentType ?? "stage"}:${draft.setting}:${draft.proposedValue}:${window}`,
      ),
      proposedBy,
      ...draft,
      proposedAt: now.toISOString(),
    }));
}

/** A type's review figures: its task figures and its live agents' last heartbeats. */
export function typeMetricsOf(
  agentType: AgentType,
  tasks: TypeTaskFigures,
  agents: readonly { cpuPercent: number; memoryPercent: number }[],
): TypeMetrics {
  const mean = (pick: (a: (typeof agents)[number]) => number) =>
    agents.length === 0 ? undefined : agents.reduce((n, a) => n + pick(a), 0) / agents.length;
  return {
    agentType,
    queued: tasks.queued,
    running: tasks.running,
    completed: tasks.completed,
    unsuccessful: tasks.unsuccessful,
    deadLettered: tasks.deadLettered,
    timedOut: tasks.timedOut,
    avgTimeoutSecondsOfTimedOut: tasks.avgTimeoutSecondsOfTimedOut,
    avgExecutionMs: tasks.avgExecutionMs,
    avgQueueMs: tasks.avgQueueMs,
    agents: agents.length,
    cpuPercent: mean((a) => a.cpuPercent),
    memoryPercent: mean((a) => a.memoryPercent),
  };
}
