import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { clientConfig, eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { StageEnvironment } from "#shared/stage-environment";
import { MONITORING_ROUTES } from "#monitoring/published/routes";
import { httpRoute, json } from "#shared/http";
import { checkHealth } from "#monitoring/domain/health";
import { eventBusProbe, queuesProbe, tableProbe } from "#monitoring/adapters/health-probes";
import { HealthProbesEnvironment } from "#monitoring/adapters/function-environments";
import { cachedFor } from "#shared/cached-for";

const env = HealthProbesEnvironment.and(StageEnvironment).read();
// Health must answer quickly even when a dependency does not: one attempt, short deadlines.
const timeouts = { maxAttempts: 1, connectionTimeoutMs: 500, requestTimeoutMs: 1_500 };
const db = new DynamoDBClient(clientConfig(timeouts));
const probes = [
  tableProbe("tasksTable", db, env.TASKS_TABLE),
  tableProbe("connectionsTable", db, env.CONNECTIONS_TABLE),
  queuesProbe(
    "workQueues",
    sqsClient(timeouts),
    Object.values(env.WORK_QUEUE_URLS).flatMap((byPriority) => Object.values(byPriority)),
  ),
  eventBusProbe("eventBus", eventBridgeClient(timeouts), env.EVENT_BUS_NAME),
];

/** Anonymous callers must not multiply AWS calls: within this, every call of an instance reads one check. */
const HEALTH_CACHE_MS = 5_000;
const health = cachedFor(HEALTH_CACHE_MS, () => checkHealth(probes, { timeoutMs: 2_000, now: () => new Date() }));

/** GET /api/health — open to all; 200 when every component answers, 503 otherwise; the check is at most 5 s old. */
export const handler = httpRoute(MONITORING_ROUTES.getHealth, async () => {
  const report = await health();
  return json(report.status === "ok" ? 200 : 503, { ...report, stage: env.STAGE });
});
