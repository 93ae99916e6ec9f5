/** An ECS task of an agent service as the emulator reports it. */
export interface ObservedTask {
  readonly taskArn: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
}

/** What the fleet runner should do about one agent service this pass. */
export interface FleetPlan {
  /** Tasks ECS runs that have no agent process: start one each. */
  readonly launch: readonly string[];
  /** Agent processes whose task ECS no longer runs: stop each. */
  readonly retire: readonly string[];
  /**
   * Tasks restored from a saved state: the emulator brings every task back `STOPPED` but still
   * `desiredStatus: RUNNING`, so `ListTasks` keeps listing them as running. No process runs for
   * one; the registry is told it stopped (once), as ECS would have told it.
   */
  readonly ghosts: readonly string[];
  /** The service runs fewer tasks than it wants: nudge it to start the rest. */
  readonly nudge: boolean;
}

/**
 * Matches agent processes to an agent service's tasks one for one: a process for each task
 * whose last status is `RUNNING`, none for any other task, and never two for one task.
 *
 * @param processes task ARNs that have a process now (or one being stopped)
 * @param announced ghost task ARNs already announced
 */
export function planFleet(input: {
  readonly tasks: readonly ObservedTask[];
  readonly processes: ReadonlySet<string>;
  readonly stopping: ReadonlySet<string>;
  readonly announced: ReadonlySet<string>;
  readonly desired: number;
}): FleetPlan {
  const running = input.tasks.filter((task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING");
  const live = new Set(running.map((task) => task.taskArn));
  return {
    launch: running.map((task) => task.taskArn).filter((arn) => !input.processes.has(arn) && !input.stopping.has(arn)),
    retire: [...input.processes].filter((arn) => !live.has(arn)),
    ghosts: input.tasks
      .filter((task) => task.lastStatus === "STOPPED" && task.desiredStatus === "RUNNING" && !input.announced.has(task.taskArn))
      .map((task) => task.taskArn),
    nudge: running.length < input.desired,
  };
}
