import type { AgentType } from "#kernel/agent-catalog";
import type {
  MinuteCounters,
  QueueInspector,
  StatsApplied,
  StatsDelta,
  TaskQuery,
  TaskStatsStore,
  TaskVersionRef,
  TypeCounters,
} from "#tasks/domain/ports";
import { queueView } from "#tasks/domain/queue-view";
import { minuteOf, readTaskStatus } from "#tasks/domain/task-stats";
import { type TaskFigures, taskFiguresFrom, type TaskViews } from "#tasks/published/task-figures";

/** The TaskStatsStore contract in memory: counters are added, per type and per minute, once per task version. */
export class InMemoryTaskStats implements TaskStatsStore {
  private readonly types = new Map<AgentType, Record<string, number>>();
  private readonly markers = new Set<string>();
  private readonly minutes = new Map<string, Record<string, number>>();
  private readonly ticks = new Map<string, number>();

  constructor(counters: Partial<Record<AgentType, TypeCounters>> = {}) {
    for (const [agentType, row] of Object.entries(counters) as [AgentType, TypeCounters][]) this.types.set(agentType, { ...row });
  }

  /** Replaces a type's row (what the scaler will read next). */
  set(agentType: AgentType, counters: TypeCounters): void {
    this.types.set(agentType, { ...counters });
  }

  async apply(delta: StatsDelta): Promise<StatsApplied> {
    const marker = versionKey(delta.change);
    if (this.markers.has(marker)) return "already_applied";
    this.markers.add(marker);
    this.add(delta);
    return "applied";
  }

  async applied(change: TaskVersionRef): Promise<boolean> {
    return this.markers.has(versionKey(change));
  }

  /** Adds a delta's counters, marker or not. */
  protected add(delta: StatsDelta): void {
    this.types.set(delta.agentType, add(this.types.get(delta.agentType), delta.counters));
    if (delta.minute) this.minutes.set(delta.minute.at, add(this.minutes.get(delta.minute.at), delta.minute.counters));
  }

  async byType(): Promise<Partial<Record<AgentType, TypeCounters>>> {
    return Object.fromEntries([...this.types].map(([t, row]) => [t, { ...row }]));
  }

  async ofType(agentType: AgentType): Promise<TypeCounters> {
    return { ...this.types.get(agentType) };
  }

  async lastMinutes(count: number, now: Date): Promise<MinuteCounters[]> {
    return Array.from({ length: count }, (_, i) => {
      const minute = minuteOf(new Date(now.getTime() - i * 60_000).toISOString());
      return { ...this.minutes.get(minute) };
    });
  }

  async nextTick(name: string): Promise<number> {
    const next = (this.ticks.get(name) ?? 0) + 1;
    this.ticks.set(name, next);
    return next;
  }
}

const versionKey = (change: TaskVersionRef) => `${change.taskId}#${change.version}`;

/**
 * The counters as they were before ADR 0017: every delta added, with no marker, so a replayed
 * change counts twice. Kept for the control that shows the replay test can fail.
 */
export class UnmarkedTaskStats extends InMemoryTaskStats {
  override async apply(delta: StatsDelta): Promise<StatsApplied> {
    this.add(delta);
    return "applied";
  }
}

function add(row: Readonly<Record<string, number>> | undefined, counters: Readonly<Record<string, number>>) {
  const sum: Record<string, number> = { ...row };
  for (const [key, n] of Object.entries(counters)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}

/** The tasks' published figures over in-memory counters, as `taskFigures` reads them from the table. */
export const inMemoryTaskFigures = (stats: TaskStatsStore): TaskFigures => taskFiguresFrom(stats);

/** The tasks' published views over in-memory ports, as `taskViews` reads them from the tables and queues. */
export function inMemoryTaskViews(ports: { stats: TaskStatsStore; query: TaskQuery; inspector: QueueInspector }): TaskViews {
  return {
    status: (now) => readTaskStatus(ports.stats, now),
    queues: (now) => queueView({ inspector: ports.inspector, query: ports.query, now }),
  };
}
