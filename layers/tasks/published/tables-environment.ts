import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables a process that reads the tasks context's tables is given their names in, declared
 * once for every context: `taskFigures` reads the counters (`TaskStatsTableEnvironment`),
 * `taskViews` both tables (`TasksTablesEnvironment`), a probe of the tasks table that one.
 */
export const TasksTableEnvironment = envContract({ TASKS_TABLE: envVar.name() });

export const TaskStatsTableEnvironment = envContract({ TASK_STATS_TABLE: envVar.name() });

export const TasksTablesEnvironment = TasksTableEnvironment.and(TaskStatsTableEnvironment);
