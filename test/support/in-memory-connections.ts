import type {
  Connection,
  ConnectionGateway,
  ConnectionPage,
  ConnectionStore,
  DeliveryOutcome,
  DeliveryStats,
  EventHistory,
  EventLedger,
  EventToRecord,
  HistoryStart,
  MinuteDeliveries,
  PendingChange,
  PendingPresence,
  PresenceScheduler,
  RateLimiter,
  RoomMembership,
  RoomTally,
  RoomView,
  SequenceSource,
} from "#realtime/domain/ports";
import {
  type PresenceChange,
  type RoomMember,
  type ServerEvent,
  type Stream,
  streamKey,
  type Topic,
} from "#realtime/published/protocol";
import type { PublishDeps } from "#realtime/domain/publishing";
import type { Clock } from "#shared/clock";
import { type BucketLimits, type BucketState, take } from "#shared/token-bucket";
import type { RoomName } from "#kernel/bus/room-message";

/** A room nobody has joined: what a table without its listing row answers. */
const NO_TALLY: RoomTally = { memberCount: 0, version: 0, listed: [] };

export class InMemoryConnectionStore implements ConnectionStore {
  readonly connections = new Map<string, Connection>();
  readonly topics = new Map<string, Set<Topic>>();
  readonly roomMembers = new Map<RoomName, Map<string, RoomMember>>();
  /** Each room's kept count, moved with its memberships as the table's transactions move it. */
  readonly tallies = new Map<RoomName, RoomTally>();

  private count(room: RoomName, by: 1 | -1) {
    const tally = this.tallies.get(room) ?? NO_TALLY;
    this.tallies.set(room, { ...tally, memberCount: tally.memberCount + by, version: tally.version + 1 });
  }

  async put(connection: Connection) {
    this.connections.set(connection.connectionId, connection);
  }
  async get(connectionId: string) {
    return this.connections.get(connectionId);
  }
  async remove(connectionId: string): Promise<RoomMembership[] | undefined> {
    const existed = this.connections.delete(connectionId);
    this.topics.delete(connectionId);
    const memberships: RoomMembership[] = [];
    for (const [room, members] of this.roomMembers) {
      const member = members.get(connectionId);
      if (member) {
        memberships.push({ room, member });
        this.count(room, -1);
      }
      members.delete(connectionId);
    }
    return existed ? memberships : undefined;
  }
  async subscribe(connectionId: string, topics: readonly Topic[]) {
    const set = this.topics.get(connectionId) ?? new Set<Topic>();
    for (const topic of topics) set.add(topic);
    this.topics.set(connectionId, set);
  }
  async unsubscribe(connectionId: string, topics: readonly Topic[]) {
    for (const topic of topics) this.topics.get(connectionId)?.delete(topic);
  }
  async topicsOf(connectionId: string) {
    return [...(this.topics.get(connectionId) ?? [])];
  }
  async subscribers(topic: Topic) {
    return [...this.topics.entries()].filter(([, set]) => set.has(topic)).map(([id]) => id);
  }
  async join(room: RoomName, member: RoomMember) {
    const members = this.roomMembers.get(room) ?? new Map<string, RoomMember>();
    this.roomMembers.set(room, members);
    if (members.has(member.connectionId)) return false;
    members.set(member.connectionId, member);
    this.count(room, 1);
    return true;
  }
  async leave(room: RoomName, connectionId: string) {
    const member = this.roomMembers.get(room)?.get(connectionId);
    if (member) this.count(room, -1);
    this.roomMembers.get(room)?.delete(connectionId);
    return member;
  }
  async roomsOf(connectionId: string) {
    return [...this.roomMembers.entries()].filter(([, members]) => members.has(connectionId)).map(([room]) => room);
  }
  async members(room: RoomName, options: { readonly limit?: number } = {}) {
    return [...(this.roomMembers.get(room)?.values() ?? [])].slice(0, options.limit);
  }
  async tally(room: RoomName): Promise<RoomTally> {
    return this.tallies.get(room) ?? NO_TALLY;
  }
  async recount(room: RoomName, found: RoomView, since: RoomTally) {
    const tally = this.tallies.get(room) ?? NO_TALLY;
    const unchanged = tally.version === since.version;
    this.tallies.set(room, { ...tally, listed: found.members, ...(unchanged ? { memberCount: found.memberCount } : {}) });
  }
  async rooms() {
    return [...this.roomMembers.keys()];
  }
  async countOf(sub: string) {
    return [...this.connections.values()].filter((c) => c.sub === sub).length;
  }
  async list(page: { limit: number; cursor?: string }): Promise<ConnectionPage> {
    const all = [...this.connections.values()].sort((a, b) => a.connectionId.localeCompare(b.connectionId));
    const start = page.cursor ? Number(page.cursor) : 0;
    const next = start + page.limit;
    return { connections: all.slice(start, next), ...(next < all.length ? { cursor: String(next) } : {}) };
  }
}

/** Records frames per connection; connections listed in `gone` answer 410, in `broken` throw. */
export class RecordingGateway implements ConnectionGateway {
  readonly frames = new Map<string, unknown[]>();
  readonly wire = new Map<string, string[]>();
  constructor(
    readonly gone = new Set<string>(),
    readonly broken = new Set<string>(),
  ) {}

  async post(connectionId: string, data: string): Promise<DeliveryOutcome> {
    if (this.broken.has(connectionId)) throw new Error("throttled");
    if (this.gone.has(connectionId)) return "gone";
    this.wire.set(connectionId, [...(this.wire.get(connectionId) ?? []), data]);
    this.frames.set(connectionId, [...(this.frames.get(connectionId) ?? []), JSON.parse(data)]);
    return "delivered";
  }

  readonly closed: string[] = [];
  async close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
  }

  sentTo(connectionId: string): unknown[] {
    return this.frames.get(connectionId) ?? [];
  }
}

export class CountingSequence implements SequenceSource {
  /** Calls made, each one write of the sequence row on DynamoDB. */
  calls = 0;
  constructor(private value = 0) {}
  async next() {
    return this.reserve(1);
  }
  async reserve(count: number) {
    this.calls++;
    const first = this.value + 1;
    this.value += count;
    return first;
  }
}

/**
 * Markers and history together, as one transaction writes them. `recordFirst` stands for a
 * delivery that records an event between this one's `find` and `record`.
 */
export class InMemoryEventLedger implements EventLedger {
  readonly markers = new Map<string, ServerEvent>();
  readonly calls: ("find" | "record")[] = [];
  recordFirst?: EventToRecord;
  constructor(readonly history: InMemoryEventHistory) {}
  async find(eventIds: readonly string[]) {
    this.calls.push("find");
    return new Map(eventIds.flatMap((id) => (this.markers.has(id) ? [[id, this.markers.get(id) as ServerEvent] as const] : [])));
  }
  async record(entries: readonly EventToRecord[]) {
    this.calls.push("record");
    if (this.recordFirst) {
      await this.write(this.recordFirst);
      this.recordFirst = undefined;
    }
    const taken = new Set<string>();
    for (const entry of entries) {
      if (this.markers.has(entry.eventId)) taken.add(entry.eventId);
      else await this.write(entry);
    }
    return taken;
  }
  private async write({ eventId, stream, event }: EventToRecord) {
    this.markers.set(eventId, event);
    await this.history.append(stream, event);
  }
}

export class InMemoryEventHistory implements EventHistory {
  readonly streams = new Map<string, ServerEvent[]>();
  async append(stream: Stream, event: ServerEvent) {
    const key = streamKey(stream);
    this.streams.set(
      key,
      [...(this.streams.get(key) ?? []), event].sort((a, b) => a.seq - b.seq),
    );
  }
  async read(stream: Stream, start: HistoryStart, limit: number) {
    const events = this.streams.get(streamKey(stream)) ?? [];
    const from =
      "afterSeq" in start
        ? events.filter((e) => e.seq > start.afterSeq)
        : events.filter((e) => e.timestamp >= start.since.toISOString());
    return from.slice(0, limit);
  }
  async latest(stream: Stream, limit: number) {
    return (this.streams.get(streamKey(stream)) ?? []).slice(-limit);
  }
}

export class InMemoryRateLimiter implements RateLimiter {
  readonly buckets = new Map<string, BucketState>();
  async take(connectionId: string, limits: BucketLimits, nowMs: number) {
    const result = take(this.buckets.get(connectionId), limits, nowMs);
    if (result.ok) this.buckets.set(connectionId, result.state);
    return result;
  }
}

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
  constructor(private current = new Date("2026-11-23T10:00:00.000Z")) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function aConnection(connectionId: string, overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId,
    sub: `sub-${connectionId}`,
    username: `user-${connectionId}`,
    roles: ["viewer"],
    connectedAt: "2026-11-23T09:00:00.000Z",
    // An hour's token, opened an hour before the ManualClock's start: valid until 11:00.
    tokenExpiresAt: "2026-11-23T11:00:00.000Z",
    ...overrides,
  };
}

/** Delivery counts per minute, in memory. */
export class InMemoryDeliveryStats implements DeliveryStats {
  readonly minutes = new Map<string, MinuteDeliveries>();

  async add(at: Date, counts: { delivered: number; gone: number; failed: number }): Promise<void> {
    const minute = at.toISOString().slice(0, 16);
    const row = this.minutes.get(minute) ?? { minute, delivered: 0, gone: 0, failed: 0 };
    this.minutes.set(minute, {
      minute,
      delivered: row.delivered + counts.delivered,
      gone: row.gone + counts.gone,
      failed: row.failed + counts.failed,
    });
  }

  async lastMinutes(count: number, now: Date): Promise<MinuteDeliveries[]> {
    return Array.from({ length: count }, (_, i) => {
      const minute = new Date(now.getTime() - i * 60_000).toISOString().slice(0, 16);
      return this.minutes.get(minute) ?? { minute, delivered: 0, gone: 0, failed: 0 };
    });
  }
}

/** Large rooms' waiting presence, in memory, with the same due-mark rules as the table. */
export class InMemoryPendingPresence implements PendingPresence {
  readonly changes = new Map<RoomName, Map<string, PresenceChange>>();
  readonly due = new Map<RoomName, number>();
  constructor(private readonly clock: Clock) {}

  async add(room: RoomName, change: PresenceChange, staleAfterSeconds: number) {
    const changes = this.changes.get(room) ?? new Map<string, PresenceChange>();
    this.changes.set(room, changes);
    changes.set(`${change.at}#${change.member.connectionId}#${change.action}`, change);
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const markedAt = this.due.get(room);
    if (markedAt !== undefined && markedAt >= nowSeconds - staleAfterSeconds) return false;
    this.due.set(room, nowSeconds);
    return true;
  }
  async clearDue(room: RoomName) {
    this.due.delete(room);
  }
  async waiting(room: RoomName, limit: number): Promise<PendingChange[]> {
    return [...(this.changes.get(room) ?? [])]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, limit)
      .map(([key, change]) => ({ key, change }));
  }
  async settle(room: RoomName, keys: readonly string[]) {
    for (const key of keys) this.changes.get(room)?.delete(key);
  }
}

/** Records the summaries asked for, in order. */
export class RecordingPresenceScheduler implements PresenceScheduler {
  readonly scheduled: { room: RoomName; delaySeconds: number }[] = [];
  async schedule(room: RoomName, delaySeconds: number) {
    this.scheduled.push({ room, delaySeconds });
  }
}

/** Everything publishing needs, in memory; each fake keeps its own type so tests can look inside. */
export function inMemoryPublishDeps(overrides: { gateway?: RecordingGateway; clock?: ManualClock; concurrency?: number } = {}) {
  const clock = overrides.clock ?? new ManualClock();
  return {
    connections: new InMemoryConnectionStore(),
    gateway: overrides.gateway ?? new RecordingGateway(),
    sequence: new CountingSequence(),
    history: new InMemoryEventHistory(),
    stats: new InMemoryDeliveryStats(),
    clock,
    concurrency: overrides.concurrency ?? 4,
    presence: { pending: new InMemoryPendingPresence(clock), scheduler: new RecordingPresenceScheduler() },
  } satisfies PublishDeps;
}
