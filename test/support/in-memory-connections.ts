import type {
  Connection,
  ConnectionGateway,
  ConnectionPage,
  ConnectionStore,
  DeliveryOutcome,
  DeliveryStats,
  EventHistory,
  HistoryStart,
  MinuteDeliveries,
  RateLimiter,
  SequenceSource,
} from "#realtime/domain/ports";
import { type RoomMember, type ServerEvent, type Stream, streamKey, type Topic } from "#realtime/published/protocol";
import type { PublishDeps } from "#realtime/domain/publishing";
import type { Clock } from "#shared/clock";
import { type BucketLimits, type BucketState, take } from "#shared/token-bucket";
import type { RoomName } from "#kernel/bus/room-message";

export class InMemoryConnectionStore implements ConnectionStore {
  readonly connections = new Map<string, Connection>();
  readonly topics = new Map<string, Set<Topic>>();
  readonly roomMembers = new Map<RoomName, Map<string, RoomMember>>();

  async put(connection: Connection) {
    this.connections.set(connection.connectionId, connection);
  }
  async get(connectionId: string) {
    return this.connections.get(connectionId);
  }
  async remove(connectionId: string) {
    const existed = this.connections.delete(connectionId);
    this.topics.delete(connectionId);
    for (const members of this.roomMembers.values()) members.delete(connectionId);
    return existed;
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
    return true;
  }
  async leave(room: RoomName, connectionId: string) {
    return this.roomMembers.get(room)?.delete(connectionId) ?? false;
  }
  async roomsOf(connectionId: string) {
    return [...this.roomMembers.entries()].filter(([, members]) => members.has(connectionId)).map(([room]) => room);
  }
  async members(room: RoomName) {
    return [...(this.roomMembers.get(room)?.values() ?? [])];
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
  constructor(private value = 0) {}
  async next() {
    return ++this.value;
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

/** Everything publishing needs, in memory; each fake keeps its own type so tests can look inside. */
export function inMemoryPublishDeps(overrides: { gateway?: RecordingGateway; clock?: ManualClock; concurrency?: number } = {}) {
  return {
    connections: new InMemoryConnectionStore(),
    gateway: overrides.gateway ?? new RecordingGateway(),
    sequence: new CountingSequence(),
    history: new InMemoryEventHistory(),
    stats: new InMemoryDeliveryStats(),
    clock: overrides.clock ?? new ManualClock(),
    concurrency: overrides.concurrency ?? 4,
  } satisfies PublishDeps;
}
