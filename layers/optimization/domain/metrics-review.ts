import { AGENT_TYPE_SPECS, AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { Recommendation, RiskLevel, TunableSetting } from "#kernel/bus/optimization";
import { deterministicId } from "#shared/ids";
import { TIMEOUT_SECONDS } from "#kernel/task-vocabulary";
import type { TypeTaskFigures } from "#tasks/published/task-figures";
import type { RuntimeSettings } from "../published/runtime-settings";
import { DEFAULT_REVIEW_THRESHOLDS, type ReviewThresholds } from "./review-thresholds";

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

/** The settings in force, which recommendations propose to change, and the thresholds that decide when. */
export interface CurrentSettings {
  /** The `runtime-settings` document as the reviewer read it. */
  readonly runtime: RuntimeSettings;
  /** Its version, carried into each recommendation so the change is computed against it. @default none */
  readonly runtimeVersion?: string;
  /** The `review-thresholds` document. @default DEFAULT_REVIEW_THRESHOLDS */
  readonly thresholds?: ReviewThresholds;
  /** What the scaler aims for (deployed, not tunable): queue time beyond it calls for capacity. */
  readonly targetLatencySeconds: number;
}

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
  readonly confidence: number;
}

/** More finished tasks behind a rate, more confidence in it: 0.5 at nothing, 0.95 from 200 on. */
const confidenceFrom = (finished: number) => Math.round((0.5 + 0.45 * Math.min(1, finished / 200)) * 100) / 100;
/** Resource figures are means over live agents' last heartbeats: more agents, more confidence. */
const confidenceFromAgents = (agents: number) => Math.round(Math.min(0.9, 0.6 + 0.1 * agents) * 100) / 100;

const pct = (x: number) => `${Math.round(x * 100)}%`;

function reliabilityDrafts(m: TypeMetrics, s: CurrentSettings): Draft[] {
  const rules = s.thresholds ?? DEFAULT_REVIEW_THRESHOLDS;
  const own = s.runtime.agentTypes[m.agentType];
  const finished = m.completed + m.unsuccessful;
  if (finished < rules.minFinishedForAdvice) return [];
  const failureRate = m.unsuccessful / finished;
  const drafts: Draft[] = [];
  const longerBackoff = Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, own.retryBaseDelaySeconds * 2));
  if (failureRate > rules.failureRate && longerBackoff > own.retryBaseDelaySeconds) {
    drafts.push({
      agentType: m.agentType,
      setting: "retryBaseDelaySeconds",
      currentValue: own.retryBaseDelaySeconds,
      proposedValue: longerBackoff,
      risk: "low",
      rationale: `${m.agentType} fails ${pct(failureRate)} of its tasks: back off longer between retries so a struggling dependency can recover`,
      evidence: { finished, unsuccessful: m.unsuccessful, failureRate, deadLettered: m.deadLettered },
      confidence: confidenceFrom(finished),
    });
  }
  const timeoutShare = m.timedOut / finished;
  const observed = m.avgTimeoutSecondsOfTimedOut;
  if (timeoutShare > rules.timeoutShare && own.taskTimeoutSeconds < MAX_TASK_TIMEOUT_SECONDS) {
    drafts.push({
      agentType: m.agentType,
      setting: "taskTimeoutSeconds",
      currentValue: own.taskTimeoutSeconds,
      proposedValue: Math.min(MAX_TASK_TIMEOUT_SECONDS, own.taskTimeoutSeconds * 2),
      risk: "medium",
      rationale: `${pct(timeoutShare)} of ${m.agentType} attempts timed out${observed === undefined ? "" : ` (at about ${Math.round(observed)}s)`}: give the tasks the swarm submits to it a longer timeout`,
      evidence: { timedOut: m.timedOut, finished, avgExecutionMs: Math.round(m.avgExecutionMs ?? 0) },
      confidence: confidenceFrom(finished),
    });
  }
  return drafts;
}

function performanceDrafts(m: TypeMetrics, s: CurrentSettings): Draft[] {
  const rules = s.thresholds ?? DEFAULT_REVIEW_THRESHOLDS;
  const concurrency = s.runtime.agentTypes[m.agentType].maxConcurrentTasksPerAgent;
  const maxAgents = s.runtime.maxAgentsPerType;
  const drafts: Draft[] = [];
  const hot = (m.cpuPercent ?? 0) > rules.hotCpuPercent || (m.memoryPercent ?? 0) > rules.hotMemoryPercent;
  if (m.agents > 0 && hot && concurrency > 1) {
    drafts.push({
      agentType: m.agentType,
      setting: "maxConcurrentTasksPerAgent",
      currentValue: concurrency,
      proposedValue: concurrency - 1,
      risk: "low",
      rationale: `${m.agentType} agents run hot (CPU ${Math.round(m.cpuPercent ?? 0)}%, memory ${Math.round(m.memoryPercent ?? 0)}%): run fewer tasks at once per agent`,
      evidence: { cpuPercent: m.cpuPercent ?? 0, memoryPercent: m.memoryPercent ?? 0, agents: m.agents },
      confidence: confidenceFromAgents(m.agents),
    });
  }
  const waitsTooLong = m.avgQueueMs !== undefined && m.avgQueueMs > s.targetLatencySeconds * 1_000;
  if (waitsTooLong && m.queued > 0) {
    // Idle means idle on both counts: an agent short of memory must not be given more to do. Its
    // container's size caps what it may run, so at the cap the answer is more agents instead.
    const cool =
      m.agents > 0 &&
      !hot &&
      (m.cpuPercent ?? 100) < rules.coolCpuPercent &&
      concurrency < AGENT_TYPE_SPECS[m.agentType].maxConcurrentTasks;
    drafts.push(
      cool
        ? {
            agentType: m.agentType,
            setting: "maxConcurrentTasksPerAgent",
            currentValue: concurrency,
            proposedValue: concurrency + 1,
            risk: "low",
            rationale: `${m.agentType} tasks wait ${Math.round((m.avgQueueMs ?? 0) / 1_000)}s on average while its agents idle at ${Math.round(m.cpuPercent ?? 0)}% CPU: run more tasks at once per agent`,
            evidence: { avgQueueMs: Math.round(m.avgQueueMs ?? 0), queued: m.queued, cpuPercent: m.cpuPercent ?? 0 },
            confidence: confidenceFromAgents(m.agents),
          }
        : {
            agentType: m.agentType,
            setting: "maxAgentsPerType",
            currentValue: maxAgents,
            proposedValue: Math.min(100, maxAgents + Math.max(1, Math.ceil(maxAgents / 2))),
            risk: "medium",
            rationale: `${m.agentType} tasks wait ${Math.round((m.avgQueueMs ?? 0) / 1_000)}s on average, beyond the ${s.targetLatencySeconds}s target: allow more agents per type`,
            evidence: { avgQueueMs: Math.round(m.avgQueueMs ?? 0), queued: m.queued, agents: m.agents },
            confidence: confidenceFromAgents(m.agents),
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
      ...(settings.runtimeVersion ? { settingsVersion: settings.runtimeVersion } : {}),
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
