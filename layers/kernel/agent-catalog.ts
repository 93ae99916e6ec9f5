import * as z from "zod";

/** The five specialist agent types of the swarm (seed 001). */
export const AGENT_TYPES = [
  "scraping-efficiency",
  "keyword-precision",
  "api-reliability",
  "performance-optimizer",
  "data-quality",
] as const;

export const AgentType = z.enum(AGENT_TYPES);
export type AgentType = z.infer<typeof AgentType>;

/**
 * Who may submit a task type (ADR 0016). `system`: only the swarm's own components (an agent
 * handing work on, a schedule), never a user, whatever their role: these types feed the detection
 * pipeline and the optimizer, and a forged one would be announced or acted on as real.
 * `admins`: administrators only, and only on stages that enable the diagnostics types.
 */
export type TaskSubmitters = "system" | "admins";

/**
 * Every task type some agent runs, with what it does and who may submit it. Agents refuse a type
 * they do not serve, and so does the submit path, before anything is queued.
 */
export const TASK_TYPES = {
  "diagnostics.echo": { description: "Answers with its payload (every agent)", submitters: "admins" },
  "diagnostics.sleep": { description: "Waits `ms` milliseconds, then completes (every agent)", submitters: "admins" },
  "diagnostics.fail": { description: "Fails with `message`, retryable or not (every agent)", submitters: "admins" },
  "feed.fetch": { description: "Polls one JSON Feed now and hands its new items on", submitters: "system" },
  "tge.score": { description: "Scores one feed item's TGE likelihood", submitters: "system" },
  "tge.validate": { description: "Validates a likely TGE and announces each new event once", submitters: "system" },
  "metrics.review": { description: "Reads the swarm's figures and proposes setting changes", submitters: "system" },
} as const satisfies Record<string, { readonly description: string; readonly submitters: TaskSubmitters }>;
export type TaskTypeName = keyof typeof TASK_TYPES;

/** Who may submit `type`; undefined for a type no agent runs. */
export const submittersOf = (type: string): TaskSubmitters | undefined =>
  Object.hasOwn(TASK_TYPES, type) ? TASK_TYPES[type as TaskTypeName].submitters : undefined;

/** The task types every agent serves, whatever its specialty. */
export const DIAGNOSTIC_TASK_TYPES = [
  "diagnostics.echo",
  "diagnostics.sleep",
  "diagnostics.fail",
] as const satisfies readonly TaskTypeName[];

/** What one agent type needs and offers; read by the CDK (task size, queues), the runtime (limits) and the submit path. */
export interface AgentTypeSpec {
  readonly type: AgentType;
  readonly description: string;
  readonly capabilities: readonly string[];
  /** Task types this type runs: its specialty and the diagnostics. */
  readonly taskTypes: readonly TaskTypeName[];
  /** Fargate task size. Seed 001 asks 512 MB / 0.3 vCPU; the nearest Fargate size is 0.25 vCPU / 512 MB. */
  readonly cpuUnits: 256;
  readonly memoryMiB: 512;
  /** Tasks one agent runs at once. */
  readonly maxConcurrentTasks: number;
  /**
   * Agents the type keeps even when idle. The detection pipeline (scrape → score → validate)
   * keeps one each, so a new feed item is acted on within seconds; the reviewers run on
   * demand and scale to zero between reviews.
   */
  readonly minAgents: 0 | 1;
}

/** Every agent serves the diagnostic task types (echo, sleep, fail), whatever its specialty. */
export const DIAGNOSTICS_CAPABILITY = "diagnostics";

const spec = (
  type: AgentType,
  description: string,
  minAgents: 0 | 1,
  capabilities: string[],
  taskTypes: TaskTypeName[],
): AgentTypeSpec => ({
  type,
  description,
  capabilities: [DIAGNOSTICS_CAPABILITY, ...capabilities],
  taskTypes: [...taskTypes, ...DIAGNOSTIC_TASK_TYPES],
  cpuUnits: 256,
  memoryMiB: 512,
  maxConcurrentTasks: 3,
  minAgents,
});

export const AGENT_TYPE_SPECS: Readonly<Record<AgentType, AgentTypeSpec>> = {
  "scraping-efficiency": spec(
    "scraping-efficiency",
    "Fetches and dedupes news feeds within a rate limit",
    1,
    ["api-rate-optimization", "concurrent-requests", "cache-strategy"],
    ["feed.fetch"],
  ),
  "keyword-precision": spec(
    "keyword-precision",
    "Scores TGE likelihood with company-name disambiguation",
    1,
    ["tge-scoring", "keyword-matching", "false-positive-elimination", "name-disambiguation"],
    ["tge.score"],
  ),
  "api-reliability": spec(
    "api-reliability",
    "Reads error metrics and proposes resilience changes",
    0,
    ["metrics-review", "error-handling", "circuit-breakers", "retry-tuning"],
    ["metrics.review"],
  ),
  "performance-optimizer": spec(
    "performance-optimizer",
    "Reads latency and resource metrics and proposes tuning",
    0,
    ["metrics-review", "cpu-memory-optimization", "async-patterns", "query-efficiency"],
    ["metrics.review"],
  ),
  "data-quality": spec(
    "data-quality",
    "Validates and dedupes TGE detections",
    1,
    ["tge-scoring", "tge-validation", "duplicate-detection", "sanitization"],
    ["tge.validate"],
  ),
};

/** Every capability some agent type offers. */
export const CAPABILITIES = [...new Set(Object.values(AGENT_TYPE_SPECS).flatMap((s) => s.capabilities))].sort() as [
  string,
  ...string[],
];
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

/** The agent types that can serve `capability`, in catalog order. */
export function agentTypesWith(capability: Capability): AgentType[] {
  return AGENT_TYPES.filter((type) => AGENT_TYPE_SPECS[type].capabilities.includes(capability));
}

/** Whether agents of `agentType` run tasks of `taskType`. */
export const serves = (agentType: AgentType, taskType: string): boolean =>
  (AGENT_TYPE_SPECS[agentType].taskTypes as readonly string[]).includes(taskType);

/** The agent types that run `taskType`, in catalog order. */
export const agentTypesServing = (taskType: TaskTypeName): AgentType[] => AGENT_TYPES.filter((type) => serves(type, taskType));

/** Tasks one agent of `agentType` runs at once: its own limit, within the stage's cap. */
export const concurrencyOf = (agentType: AgentType, stageCap: number): number =>
  Math.min(AGENT_TYPE_SPECS[agentType].maxConcurrentTasks, stageCap);
