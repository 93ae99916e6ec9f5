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
 * Every task type some agent runs, with what it does. Agents refuse a type they do not serve,
 * and so does the submit path, before anything is queued.
 */
export const TASK_TYPES = {
  "diagnostics.echo": "Answers with its payload (every agent)",
  "diagnostics.sleep": "Waits `ms` milliseconds, then completes (every agent)",
  "diagnostics.fail": "Fails with `message`, retryable or not (every agent)",
  "feed.fetch": "Polls one JSON Feed now and hands its new items on",
  "tge.score": "Scores one feed item's TGE likelihood",
  "tge.validate": "Validates a likely TGE and announces each new event once",
  "metrics.review": "Reads the swarm's figures and proposes setting changes",
} as const satisfies Record<string, string>;
export type TaskTypeName = keyof typeof TASK_TYPES;

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
