import * as z from "zod";
import type { AgentType } from "#kernel/agent-catalog";

/** Seed 000 `scheduling_strategy`. */
export const SCHEDULING_STRATEGIES = ["round_robin", "least_loaded", "performance_based", "adaptive"] as const;
export const SchedulingStrategy = z.enum(SCHEDULING_STRATEGIES);
export type SchedulingStrategy = z.infer<typeof SchedulingStrategy>;

/** What the scheduler knows of one candidate agent type. */
export interface AgentTypeLoad {
  readonly agentType: AgentType;
  readonly queued: number;
  readonly running: number;
  /** Tasks the type can run at once, in one agent's slots (see StatsBackedChooser); at least 1. */
  readonly capacity: number;
  /** Completed ÷ finished, in [0, 1]; 1 while the type has no history. */
  readonly successRate: number;
  /** Mean execution time of its tasks; undefined while it has no history. */
  readonly avgExecutionMs: number | undefined;
}

/** The seed's time score: 1 for instant tasks, 0 at five minutes or more. */
const TIME_SCALE_MS = 300_000;

/** Adaptive weights of the four seed 003 components (utilization, performance, success rate, time). */
export const ADAPTIVE_WEIGHTS = { utilization: 0.3, performance: 0.3, successRate: 0.2, time: 0.2 } as const;

export interface Scores {
  readonly utilization: number;
  readonly utilizationScore: number;
  readonly timeScore: number;
  readonly performanceScore: number;
  readonly adaptiveScore: number;
}

/**
 * The seed 003 composite, per candidate:
 *   utilization_score = 1 − load ÷ capacity      time_score = max(0, 1 − avg_execution_time ÷ 300 s)
 *   performance_score = success_rate × time_score
 *   adaptive = 0.3·utilization + 0.3·performance + 0.2·success_rate + 0.2·time
 */
export function scoresOf(load: AgentTypeLoad): Scores {
  const utilization = Math.min(1, (load.queued + load.running) / Math.max(1, load.capacity));
  const utilizationScore = 1 - utilization;
  const timeScore = load.avgExecutionMs === undefined ? 1 : Math.max(0, 1 - load.avgExecutionMs / TIME_SCALE_MS);
  const performanceScore = load.successRate * timeScore;
  const adaptiveScore =
    ADAPTIVE_WEIGHTS.utilization * utilizationScore +
    ADAPTIVE_WEIGHTS.performance * performanceScore +
    ADAPTIVE_WEIGHTS.successRate * load.successRate +
    ADAPTIVE_WEIGHTS.time * timeScore;
  return { utilization, utilizationScore, timeScore, performanceScore, adaptiveScore };
}

/** The candidate with the highest `score`; ties go to the less loaded, then to catalog order. */
function best(candidates: readonly AgentTypeLoad[], score: (scores: Scores) => number): AgentType {
  const ranked = candidates
    .map((load, index) => ({ load, index, scores: scoresOf(load) }))
    .sort((a, b) => score(b.scores) - score(a.scores) || a.scores.utilization - b.scores.utilization || a.index - b.index);
  return (ranked[0] as (typeof ranked)[number]).load.agentType;
}

/**
 * Picks the agent type to serve a task that several types can serve.
 *
 * @param tick a counter shared by all submitters (round robin only), so turns rotate across them.
 * @example
 * chooseAgentType("least_loaded", loads, 0) // → the candidate with the lowest load ÷ capacity
 */
export function chooseAgentType(strategy: SchedulingStrategy, candidates: readonly AgentTypeLoad[], tick: number): AgentType {
  if (candidates.length === 0) throw new Error("no agent type can serve this task");
  switch (strategy) {
    case "round_robin":
      return (candidates[((tick % candidates.length) + candidates.length) % candidates.length] as AgentTypeLoad).agentType;
    case "least_loaded":
      return best(candidates, (s) => s.utilizationScore);
    case "performance_based":
      return best(candidates, (s) => s.performanceScore);
    case "adaptive":
      return best(candidates, (s) => s.adaptiveScore);
  }
}
