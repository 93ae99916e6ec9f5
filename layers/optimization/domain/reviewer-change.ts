import { AGENT_TYPES } from "#kernel/agent-catalog";
import type { Recommendation } from "#kernel/bus/optimization";
import { RUNTIME_SETTINGS_DOCUMENT } from "../published/runtime-settings";
import type { PatchOperation } from "./json-patch";
import type { OptimizationType } from "./optimization";
import type { SettingsName } from "./settings-catalog";

/** A reviewer's proposal as a change to a settings document. */
export interface ReviewerChange {
  readonly target: SettingsName;
  readonly patch: PatchOperation[];
  readonly type: OptimizationType;
  readonly title: string;
}

/**
 * Maps a reviewer's `Recommendation` (a setting, its current and proposed value) onto the
 * `runtime-settings` document: `maxAgentsPerType` is fleet-wide, the rest are per agent type
 * (every type when the recommendation names none). Each replace is preceded by a `test` of the
 * value the reviewer saw, so a change computed from a value that has moved does not apply.
 *
 * @example
 * reviewerChange(rec).patch // → [{ op: "test", path: "/agentTypes/data-quality/retryBaseDelaySeconds", value: 1 }, { op: "replace", …, value: 2 }]
 */
export function reviewerChange(recommendation: Recommendation): ReviewerChange {
  const paths =
    recommendation.setting === "maxAgentsPerType"
      ? ["/maxAgentsPerType"]
      : (recommendation.agentType ? [recommendation.agentType] : AGENT_TYPES).map(
          (type) => `/agentTypes/${type}/${recommendation.setting}`,
        );
  const scope = recommendation.setting === "maxAgentsPerType" ? "every type" : (recommendation.agentType ?? "every agent type");
  return {
    target: RUNTIME_SETTINGS_DOCUMENT,
    patch: paths.flatMap((path): PatchOperation[] => [
      { op: "test", path, value: recommendation.currentValue },
      { op: "replace", path, value: recommendation.proposedValue },
    ]),
    type: recommendation.proposedBy.agentType === "performance-optimizer" ? "performance" : "reliability",
    title: `${recommendation.setting} ${recommendation.currentValue} → ${recommendation.proposedValue} (${scope})`,
  };
}
