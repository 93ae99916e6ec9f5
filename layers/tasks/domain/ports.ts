import type { AgentType } from "#kernel/agent-catalog";
import type { Task, TaskSummary } from "./task";
import type { TaskTimer } from "./task-timers";
import type { TransitionPlan } from "./task-state-machine";
import type { WorkMessage } from "./work-message";
import type { Priority, TaskStatus } from "#kernel/task-vocabulary";
import type { TaskSort } from "./task-list";

/** Where tasks live. Every write is conditional; none overwrites another's change. */
export interface TaskStore {
  /** Stores a new task; answers false, writing nothing, when the id is taken. */
  create(task: Task): Promise<boolean>;
  get(taskId: string): Promise<Task | undefined>;
  /**
   * Applies a transition atomically and returns the task as written.
   * @throws IllegalTransitionError when the stored task does not permit it (or does not exist).
   */
  apply(taskId: string, plan: TransitionPlan): Promise<Task>;
}

/** The per-agent-type, per-priority queues that carry work to agents. */
export interface WorkQueue {
  send(message: WorkMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** A message taken from a work queue, invisible to other consumers until released or expired. */
export interface ReceivedWork {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  readonly priority: Priority;
  /** Deliveries so far, including this one. */
  readonly receiveCount: number;
}

/** The consumer side of one agent type's priority queues. */
export interface WorkSource {
  /** Up to `max` messages from one priority's queue, waiting at most `waitSeconds` for one to arrive. */
  receive(priority: Priority, options: { max: number; waitSeconds: number; signal?: AbortSignal }): Promise<ReceivedWork[]>;
  /** Done with it, for good: delete the message. */
  acknowledge(work: ReceivedWork): Promise<void>;
  /** Give it back now, for another delivery (counts toward the dead-letter limit). */
  release(work: ReceivedWork): Promise<void>;
  /** Keep it invisible for another `seconds` while work on it goes on. */
  extend(work: ReceivedWork, seconds: number): Promise<void>;
}

/** Which tasks to list; each field narrows the list. */
export interface TaskFilter {
  readonly status?: TaskStatus;
  readonly agentType?: AgentType;
  readonly priority?: Priority;
}

export interface TaskPage {
  readonly items: TaskSummary[];
  /** Opaque; pass it back to get the next page. Absent on the last page. */
  readonly nextCursor?: string;
}

/** Reads over many tasks, newest first, through indexes (never a scan). */
export interface TaskQuery {
  /** @throws RequestValidationError for a cursor this query did not hand out. */
  list(filter: TaskFilter, page: { limit: number; cursor?: string; sort?: TaskSort }): Promise<TaskPage>;
  /** When the longest-waiting queued task of a queue was queued, if any is. */
  oldestQueuedAt(agentType: AgentType, priority: Priority): Promise<string | undefined>;
}

/** What one stored change adds to the counters (negative to remove). */
export interface StatsDelta {
  /**
   * The stored version of the task this delta comes from: the counters take each version's
   * delta once, however often its stream record is relayed (ADR 0017).
   */
  readonly change: TaskVersionRef;
  readonly agentType: AgentType;
  /** Added to the agent type's row. */
  readonly counters: Readonly<Record<string, number>>;
  /** Added to the row of the minute the change happened in (throughput). */
  readonly minute?: { readonly at: string; readonly counters: Readonly<Record<string, number>> };
}

/** One stored version of a task. */
export interface TaskVersionRef {
  readonly taskId: string;
  readonly version: number;
}

/** What applying a delta did: added it, or found this version's delta already added. */
export type StatsApplied = "applied" | "already_applied";

/** An agent type's stats row, as stored. */
export type TypeCounters = Readonly<Record<string, number>>;
/** A minute's row: `completed`, `finished`, `completed_<agentType>`. */
export type MinuteCounters = Readonly<Record<string, number>>;

/** Counters behind the status view, backpressure and scheduling. */
export interface TaskStatsStore {
  /**
   * Adds a version's delta and marks that version applied, in one atomic write; a version
   * already marked adds nothing.
   */
  apply(delta: StatsDelta): Promise<StatsApplied>;
  /** Whether a version's delta was applied (so everything the relay does before it was sent). */
  applied(change: TaskVersionRef): Promise<boolean>;
  byType(): Promise<Partial<Record<AgentType, TypeCounters>>>;
  ofType(agentType: AgentType): Promise<TypeCounters>;
  /** The last `count` minutes, newest first (missing minutes as empty rows). */
  lastMinutes(count: number, now: Date): Promise<MinuteCounters[]>;
  /** A counter shared by all submitters, for round-robin turns. */
  nextTick(name: string): Promise<number>;
}

/** Delayed checks on tasks (leases, recovery, expiry). */
export interface TimerQueue {
  schedule(timer: TaskTimer, now: Date): Promise<void>;
}

/** One work queue's depth, as SQS reports it. */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly deadLetters: number;
}

export interface QueueInspector {
  depth(agentType: AgentType, priority: Priority): Promise<QueueDepth>;
}
