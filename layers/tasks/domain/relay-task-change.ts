import type { Task } from "./task";

/** One stored change of a task, as the table's stream reports it (relayed by `relayBatch`). */
export interface TaskChange {
  /** Absent for a new task. */
  readonly previous?: Task;
  /** Absent when the row was deleted. */
  readonly current?: Task;
}
