/** Sources we put on the swarm event bus, one per bounded context. */
export const EVENT_SOURCES = {
  tasks: "tge-swarm.tasks",
  agents: "tge-swarm.agents",
  detection: "tge-swarm.detection",
  coordination: "tge-swarm.coordination",
  optimization: "tge-swarm.optimization",
  monitoring: "tge-swarm.monitoring",
  realtime: "tge-swarm.realtime",
  jobs: "tge-swarm.jobs",
  models: "tge-swarm.models",
  files: "tge-swarm.files",
} as const;

export type EventSource = (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES];

/** A fact one context announces to the others through the event bus. */
export interface DomainEvent<D = unknown> {
  readonly source: EventSource;
  readonly detailType: string;
  readonly detail: D;
}

/** Puts domain events on the bus; a refusal is an error, never a silent drop. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
