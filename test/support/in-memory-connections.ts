import type { Connection, ConnectionGateway, ConnectionStore, DeliveryOutcome } from "#core/dashboard/domain/ports";
import type { Topic } from "#core/dashboard/domain/protocol";

export class InMemoryConnectionStore implements ConnectionStore {
  readonly connections = new Map<string, Connection>();
  readonly topics = new Map<string, Set<Topic>>();

  async put(connection: Connection) {
    this.connections.set(connection.connectionId, connection);
  }
  async remove(connectionId: string) {
    this.connections.delete(connectionId);
    this.topics.delete(connectionId);
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
}

/** Records frames per connection; connections listed in `gone` answer 410, in `broken` throw. */
export class RecordingGateway implements ConnectionGateway {
  readonly frames = new Map<string, unknown[]>();
  constructor(
    readonly gone = new Set<string>(),
    readonly broken = new Set<string>(),
  ) {}

  async post(connectionId: string, data: string): Promise<DeliveryOutcome> {
    if (this.broken.has(connectionId)) throw new Error("throttled");
    if (this.gone.has(connectionId)) return "gone";
    this.frames.set(connectionId, [...(this.frames.get(connectionId) ?? []), JSON.parse(data)]);
    return "delivered";
  }

  sentTo(connectionId: string): unknown[] {
    return this.frames.get(connectionId) ?? [];
  }
}
