import { ScalerEnvironment } from "#agents/adapters/function-environments";
import { scaleFleet } from "#agents/domain/scale-fleet";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { taskFigures } from "#tasks/published/task-figures";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import { fleet, ledger, registry, runtimeSettings } from "./wiring";

const env = TaskStatsTableEnvironment.and(ScalerEnvironment).read();
const tasks = taskFigures(dynamoDocumentClient(), env.TASK_STATS_TABLE);

/** Every minute (and on demand): size each agent type to its backlog and the seed 001 triggers. */
export const handler = instrumented(
  async () => {
    const { value: settings } = await runtimeSettings().current();
    const changes = await scaleFleet({
      registry: registry(),
      fleet: fleet(),
      ledger: ledger(),
      tasks,
      limits: {
        max: settings.maxAgentsPerType,
        targetLatencySeconds: env.TARGET_LATENCY_SECONDS,
        idleMinutes: env.IDLE_MINUTES,
        scaleInCooldownMinutes: env.SCALE_IN_COOLDOWN_MINUTES,
      },
      concurrency: (agentType) => settings.agentTypes[agentType].maxConcurrentTasksPerAgent,
      now: new Date(),
    });
    for (const change of changes) logger.info("scaled", change);
    return { changes };
  },
  (result) => ({ changes: result.changes.length }),
);
