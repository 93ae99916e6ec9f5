import { type ProtocolTime, lapsed } from "./lock-protocol";
import type { Claim, ConflictRecord, LockState } from "./lock-state";

/** Conflicts a row remembers for the events relay. */
const MAX_CONFLICTS = 5;

/** What a claimant declares: the resources it will change, and what the policy ranks it by. */
export interface ClaimRequest {
  readonly claimId: string;
  readonly claimant: string;
  readonly resources: readonly string[];
  /** Higher goes first (a critical fix before a tuning). */
  readonly priority: number;
  /** When the intent began, epoch ms: on equal priority, the older goes first. */
  readonly createdAt: number;
  /** How sure the claimant is (a recommendation's confidence): on equal priority and age, the surer goes first. */
  readonly confidence: number;
  /** How long the claim stands without being settled. */
  readonly ttlMs: number;
}

export type Verdict =
  | { readonly outcome: "proceed" }
  | { readonly outcome: "yield"; readonly to: string; readonly decidedBy: ConflictRecord["decidedBy"] };

type Ranked = Pick<Claim, "claimId" | "priority" | "createdAt" | "confidence">;

/**
 * The resolution policy, as a total order: higher priority, then older, then more confident,
 * then the smaller claim id (so two deciders always agree). Answers the winner and what decided.
 */
export function rank(a: Ranked, b: Ranked): { winner: Ranked; decidedBy: Exclude<ConflictRecord["decidedBy"], "committed"> } {
  if (a.priority !== b.priority) return { winner: a.priority > b.priority ? a : b, decidedBy: "priority" };
  if (a.createdAt !== b.createdAt) return { winner: a.createdAt < b.createdAt ? a : b, decidedBy: "age" };
  if (a.confidence !== b.confidence) return { winner: a.confidence > b.confidence ? a : b, decidedBy: "confidence" };
  return { winner: a.claimId < b.claimId ? a : b, decidedBy: "claimId" };
}

const liveClaims = (state: LockState, t: ProtocolTime) => state.claims.filter((c) => !lapsed(c.until, t));

/**
 * Declares a claim on every row of its resources (`states`, one per resource, sorted). If live
 * claims on any of them overlap, the policy decides in this same write: a claim that already
 * started (committed) keeps going and the newcomer yields; otherwise the best-ranked of the
 * newcomer and the claims it meets proceeds and every other yields to it. So of two overlapping
 * claims at most one is ever not yielded — never both proceed. Each row records the conflict.
 */
export function planDeclare(
  states: readonly LockState[],
  request: ClaimRequest,
  t: ProtocolTime,
): { verdict: Verdict; nexts: LockState[]; conflict?: ConflictRecord } {
  const existing = states.flatMap((s) => s.claims.filter((c) => c.claimId === request.claimId && !lapsed(c.until, t)));
  if (existing.length === states.length && existing.length > 0) {
    const yielded = existing.find((c) => c.status === "yielded");
    return {
      verdict: yielded ? { outcome: "yield", to: yielded.yieldedTo ?? "", decidedBy: "committed" } : { outcome: "proceed" },
      nexts: [],
    };
  }
  const claim: Claim = {
    claimId: request.claimId,
    claimant: request.claimant,
    priority: request.priority,
    createdAt: request.createdAt,
    confidence: request.confidence,
    resources: [...request.resources].sort(),
    until: t.now + request.ttlMs,
    status: "contending",
  };
  const others = new Map<string, Claim>();
  for (const state of states) {
    for (const c of liveClaims(state, t)) if (c.claimId !== claim.claimId && c.status !== "yielded") others.set(c.claimId, c);
  }
  const met = [...others.values()];
  let verdict: Verdict = { outcome: "proceed" };
  let losers: Claim[] = [];
  let decidedBy: ConflictRecord["decidedBy"] = "priority";
  const committed = met.filter((c) => c.status === "committed");
  if (committed.length > 0) {
    const first = committed.reduce((best, c) => (rank(best, c).winner === best ? best : c));
    verdict = { outcome: "yield", to: first.claimId, decidedBy: "committed" };
    decidedBy = "committed";
  } else if (met.length > 0) {
    // The policy is a total order, so beating the strongest claim met is beating them all.
    const strongest = met.reduce((best, c) => (rank(best, c).winner === best ? best : c));
    const decided = rank(claim, strongest);
    decidedBy = decided.decidedBy;
    if (decided.winner === claim) losers = met;
    else verdict = { outcome: "yield", to: strongest.claimId, decidedBy };
  }
  const mine: Claim = verdict.outcome === "yield" ? { ...claim, status: "yielded", yieldedTo: verdict.to } : claim;
  const loserIds = new Set(losers.map((c) => c.claimId));
  const conflict: ConflictRecord | undefined =
    met.length > 0
      ? {
          claimId: claim.claimId,
          at: t.now,
          resources: states.filter((s) => liveClaims(s, t).some((c) => others.has(c.claimId))).map((s) => s.resource),
          claims: [claim, ...met].map(({ claimId, claimant, priority, createdAt, confidence }) => ({
            claimId,
            claimant,
            priority,
            createdAt,
            confidence,
          })),
          winner: verdict.outcome === "yield" ? verdict.to : claim.claimId,
          decidedBy,
        }
      : undefined;
  const nexts = states.map((state) => ({
    ...state,
    version: state.version + 1,
    claims: [
      ...liveClaims(state, t)
        .filter((c) => c.claimId !== claim.claimId)
        .map((c) => (loserIds.has(c.claimId) ? { ...c, status: "yielded" as const, yieldedTo: claim.claimId } : c)),
      mine,
    ],
    conflicts: conflict ? [...state.conflicts, conflict].slice(-MAX_CONFLICTS) : state.conflicts,
  }));
  return { verdict, nexts, ...(conflict ? { conflict } : {}) };
}

/**
 * The point of no return: marks the claim started on every row, only if it has yielded on none
 * (and lives on all). Answers the verdict; a yielded claim must not start.
 */
export function planCommit(
  states: readonly LockState[],
  claimId: string,
  t: ProtocolTime,
): { verdict: Verdict; nexts: LockState[] } {
  const found = states.map((s) => liveClaims(s, t).find((c) => c.claimId === claimId));
  const yielded = found.find((c) => c?.status === "yielded");
  if (yielded) return { verdict: { outcome: "yield", to: yielded.yieldedTo ?? "", decidedBy: "committed" }, nexts: [] };
  if (found.some((c) => c === undefined))
    throw new RangeError(`claim ${claimId} is not declared on every resource (or it lapsed)`);
  if (found.every((c) => c?.status === "committed")) return { verdict: { outcome: "proceed" }, nexts: [] };
  return {
    verdict: { outcome: "proceed" },
    nexts: states.map((state) => ({
      ...state,
      version: state.version + 1,
      claims: state.claims.map((c) => (c.claimId === claimId ? { ...c, status: "committed" as const } : c)),
    })),
  };
}

/** Removes a finished (or abandoned) claim from its rows. */
export function planSettle(states: readonly LockState[], claimId: string): LockState[] {
  return states
    .filter((state) => state.claims.some((c) => c.claimId === claimId))
    .map((state) => ({ ...state, version: state.version + 1, claims: state.claims.filter((c) => c.claimId !== claimId) }));
}
