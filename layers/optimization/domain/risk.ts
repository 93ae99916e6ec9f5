import { RISK_LEVELS, type RiskLevel } from "#kernel/bus/optimization";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import type { PatchOperation } from "./json-patch";
import { SETTINGS_DOCUMENTS, type SettingsName } from "./settings-catalog";

/** What risk is judged from: how bad the submitter says it could go, what it touches, and how sure they are. */
export interface RiskInput {
  readonly severity: RiskLevel;
  /** 0 to 1. */
  readonly confidence: number;
  readonly target: SettingsName;
  readonly patch: readonly PatchOperation[];
  /** The document before and after the patch, to size numeric changes. */
  readonly before: unknown;
  readonly after: unknown;
}

export interface RiskAssessment {
  readonly level: RiskLevel;
  /** severity + reach + doubt; the level is its whole part (0 low … 3 and more critical). */
  readonly score: number;
  /** One line per thing that added to the score. */
  readonly reasons: string[];
}

/** The approval policy of a stage (`autoApplyLowRisk`, `requireApprovalThreshold`). */
export interface ApprovalPolicy {
  readonly autoApplyLowRisk: boolean;
  readonly requireApprovalThreshold: RiskLevel;
}

const rank = (level: RiskLevel) => RISK_LEVELS.indexOf(level);

/** More ops than this is a rewrite rather than a tune. */
const MANY_OPS = 5;
/** A number moved by more than this share of its old value (it more than doubles, or loses over half). */
const LARGE_CHANGE = 1;

function numbersChangedByPath(before: unknown, after: unknown, patch: readonly PatchOperation[]) {
  const at = (doc: unknown, pointer: string): unknown =>
    pointer
      .slice(1)
      .split("/")
      .reduce<unknown>(
        (here, raw) =>
          here !== null && typeof here === "object"
            ? (here as Record<string, unknown>)[raw.replace(/~1/g, "/").replace(/~0/g, "~")]
            : undefined,
        doc,
      );
  return patch
    .filter((op) => op.op === "replace")
    .map((op) => ({ path: op.path, from: at(before, op.path), to: at(after, op.path) }))
    .filter((c): c is { path: string; from: number; to: number } => typeof c.from === "number" && typeof c.to === "number");
}

/**
 * How risky a change is, as a level and the reasons for it:
 *
 *   severity  low 0 · medium 1 · high 2 · critical 3          (what the submitter says)
 * + reach     the document's own (0–2: who reads it, whether labelled data checks it)
 *             +1 for more than 5 operations, or ones that add, remove, move or copy
 *             +1 for a number that more than doubles or loses over half
 *             +1 for runtime settings of several agent types, or the fleet's size
 *             (reach counts at most 2)
 * + doubt     confidence ≥ 0.7: 0 · ≥ 0.4: 0.5 · ≥ 0.2: 1 · below: 2
 *
 * The level is the score's whole part: below 1 low, below 2 medium, below 3 high, else critical.
 *
 * @example
 * assessRisk({ severity: "low", confidence: 0.9, target: "detection-keywords", patch, before, after }).level // → "low"
 */
export function assessRisk(input: RiskInput): RiskAssessment {
  const reasons: string[] = [`severity ${input.severity} (+${rank(input.severity)})`];
  const spec = SETTINGS_DOCUMENTS[input.target];
  let reach: number = spec.baseReach;
  if (spec.baseReach > 0) reasons.push(`${input.target} reaches ${spec.consumers.join(", ")} unmeasured (+${spec.baseReach})`);

  const structural = input.patch.filter((op) => op.op !== "replace" && op.op !== "test");
  const changes = input.patch.filter((op) => op.op !== "test").length;
  if (changes > MANY_OPS || structural.length > 0) {
    reach += 1;
    reasons.push(
      changes > MANY_OPS
        ? `${changes} operations: a rewrite rather than a tune (+1)`
        : `${structural.map((op) => op.op).join(", ")} changes the document's shape (+1)`,
    );
  }
  const large = numbersChangedByPath(input.before, input.after, input.patch).filter(
    (c) => Math.abs(c.to - c.from) > LARGE_CHANGE * Math.abs(c.from) || (c.from !== 0 && c.to / c.from < 0.5),
  );
  if (large.length > 0) {
    reach += 1;
    reasons.push(`${large.map((c) => `${c.path} ${c.from} → ${c.to}`).join(", ")}: more than doubles or halves (+1)`);
  }
  if (input.target === "runtime-settings") {
    const types = new Set(
      input.patch.flatMap((op) => {
        const [, group, type] = op.path.split("/");
        return group === "agentTypes" && type ? [type] : [];
      }),
    );
    const fleetWide = input.patch.some((op) => op.op !== "test" && !op.path.startsWith("/agentTypes/"));
    if (fleetWide || types.size > 1) {
      reach += 1;
      reasons.push(
        fleetWide
          ? "changes the whole fleet, not one agent type (+1)"
          : `changes ${types.size} of ${AGENT_TYPES.length} agent types (+1)`,
      );
    }
  }
  reach = Math.min(2, reach);

  const doubt = input.confidence >= 0.7 ? 0 : input.confidence >= 0.4 ? 0.5 : input.confidence >= 0.2 ? 1 : 2;
  if (doubt > 0) reasons.push(`confidence ${input.confidence} (+${doubt})`);

  const score = rank(input.severity) + reach + doubt;
  const level = RISK_LEVELS[Math.min(RISK_LEVELS.length - 1, Math.floor(score))] as RiskLevel;
  return { level, score, reasons };
}

/**
 * Whether a change of `level` is applied without a person: only when the stage auto-applies low
 * risk and the level is below the threshold that requires approval.
 *
 * @example
 * needsApproval("low", { autoApplyLowRisk: true, requireApprovalThreshold: "medium" }) // → false
 */
export const needsApproval = (level: RiskLevel, policy: ApprovalPolicy): boolean =>
  !(policy.autoApplyLowRisk && rank(level) < rank(policy.requireApprovalThreshold));
