import { CoordinationEvent, type CoordinationEventKind } from "#kernel/bus/coordination-event";
import { EVENT_SOURCES, type DomainEvent } from "#kernel/bus/domain-event";
import { COORDINATION_EVENT } from "#kernel/bus/coordination-event";
import type { Contribution, Insight } from "./insights";
import { leasesOf, type LockState } from "./lock-state";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What a write to a lock row did, as events: each lease the new row holds that the old did not
 * was acquired; each lease newly among the ended was released, expired or stolen. Renewals and
 * places in line announce nothing. Each event's id follows from the resource, the token and the
 * kind, so a redelivered stream record makes the same events.
 */
export function lockEvents(before: LockState | undefined, after: LockState): CoordinationEvent[] {
  const had = new Set(before ? leasesOf(before).map((e) => e.leaseId) : []);
  const endedBefore = new Set((before?.ended ?? []).map((e) => `${e.leaseId}:${e.how}`));
  const lease = (e: { leaseId: string; token: number; mode: "shared" | "exclusive"; holder: string }) => ({
    leaseId: e.leaseId,
    token: e.token,
    mode: e.mode,
    holder: e.holder,
  });
  const acquired = leasesOf(after)
    .filter((e) => !had.has(e.leaseId))
    .map((e): CoordinationEvent => ({
      eventId: `${after.resource}:${e.token}:acquired`,
      kind: "acquired",
      at: iso(e.acquiredAt),
      resource: after.resource,
      lease: lease(e),
    }));
  const ended = after.ended
    .filter((e) => !endedBefore.has(`${e.leaseId}:${e.how}`))
    .map((e): CoordinationEvent => ({
      eventId: `${after.resource}:${e.token}:${e.how}`,
      kind: e.how,
      at: iso(e.at),
      resource: after.resource,
      lease: lease(e),
      ...(e.by ? { by: e.by } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    }));
  const decided = new Set((before?.conflicts ?? []).map((c) => c.claimId));
  const conflicts = after.conflicts
    .filter((c) => !decided.has(c.claimId))
    .map((c): CoordinationEvent => ({
      // One conflict touches several rows; its id is its newcomer's claim, so it is recorded once.
      eventId: `conflict:${c.claimId}`,
      kind: "conflict",
      at: iso(c.at),
      resource: c.resources[0] ?? after.resource,
      conflict: {
        resources: c.resources,
        claims: c.claims.map((claim) => ({ ...claim, createdAt: iso(claim.createdAt) })),
        winner: c.winner,
        decidedBy: c.decidedBy,
      },
    }));
  // Ended first: a takeover expires the old lease before it grants the new one.
  return [...ended, ...acquired, ...conflicts];
}

/**
 * An insight event when a contribution changed what it says (a new key for this contributor, or
 * a new value), not when it only refreshed: agents republish steadily, the dashboard hears of
 * changes. `insight` is the key's synthesis after the change.
 */
export function insightEvent(
  before: Contribution | undefined,
  after: Contribution,
  insight: Insight | undefined,
): CoordinationEvent | undefined {
  if (before && JSON.stringify(before.value) === JSON.stringify(after.value)) return undefined;
  return {
    eventId: `insight:${after.topic}:${after.key}:${after.contributor}:${after.publishedAt}`,
    kind: "insight",
    at: iso(after.publishedAt),
    insight: {
      topic: after.topic,
      key: after.key,
      contributor: after.contributor,
      confidence: insight?.confidence ?? after.confidence,
      contradicted: insight?.contradicted ?? false,
    },
  };
}

/** The bus event that carries a coordination event to the dashboard and anyone else. */
export const toBusEvent = (event: CoordinationEvent): DomainEvent<CoordinationEvent> => ({
  source: EVENT_SOURCES.coordination,
  detailType: COORDINATION_EVENT,
  detail: CoordinationEvent.parse(event),
});

/** Recorded coordination events, newest first. */
export interface CoordinationEventStore {
  /** Records the event once: a second record of the same id changes nothing. */
  record(event: CoordinationEvent): Promise<void>;
  list(filter: {
    kind?: CoordinationEventKind;
    limit: number;
    cursor?: string;
  }): Promise<{ events: CoordinationEvent[]; cursor?: string }>;
  /** How many events of `kind` happened at or after `since`. */
  count(kind: CoordinationEventKind, since: Date): Promise<number>;
}
