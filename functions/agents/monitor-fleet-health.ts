import { monitorFleet } from "#agents/domain/monitor-fleet";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { fleet, ledger, maxAgentsPerType, publisher, registry } from "./wiring";

/**
 * Every minute (and on demand): judge each agent healthy, degraded or unhealthy from its
 * heartbeats and errors, and apply the recovery policy per agent type — restart, recreate,
 * scale up, fail over or alert, within attempt caps, a cooldown and a circuit breaker.
 */
export const handler = instrumented(
  async () => {
    const report = await monitorFleet({
      registry: registry(),
      fleet: fleet(),
      ledger: ledger(),
      publisher: publisher(),
      now: new Date(),
      maxAgentsPerType: await maxAgentsPerType(),
    });
    for (const action of report.actions) {
      metrics.addMetric(`Recovery_${action.action}`, "Count", 1);
      logger.warn("recovery action", action);
    }
    return report;
  },
  (report) => ({ checked: report.checked, statusChanges: report.statusChanges, actions: report.actions.length }),
);
