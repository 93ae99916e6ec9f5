import { DynamoDbCoordinationEventStore } from "#coordination/adapters/dynamodb-event-store";
import { DynamoDbInsightStore } from "#coordination/adapters/dynamodb-insight-store";
import { CoordinationEventsTableEnvironment } from "#coordination/adapters/function-environments";
import { InsightsTableEnvironment, SyncIntervalEnvironment } from "#coordination/published/insights";
import { LocksTableEnvironment, LockTimeoutEnvironment, ResourceLocks } from "#coordination/published/locks";
import { dynamoDocumentClient, eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { once } from "#shared/once";

/**
 * Wiring shared by the coordination handlers; each piece reads only its own variables, on first
 * use, and fails at once if one is bad.
 */
const db = once(() => dynamoDocumentClient());

export const locksTableName = once(() => LocksTableEnvironment.read().LOCKS_TABLE);
export const locks = once(() => new ResourceLocks({ db: db(), tableName: locksTableName() }));

export const eventStore = once(
  () => new DynamoDbCoordinationEventStore(db(), CoordinationEventsTableEnvironment.read().COORDINATION_EVENTS_TABLE),
);

export const insightStore = once(() => new DynamoDbInsightStore(db(), InsightsTableEnvironment.read().INSIGHTS_TABLE));

export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));

/** The stage's `resourceLockTimeout` (the longest lease) and `syncInterval`, in seconds. */
export const limits = once(() => {
  const env = LockTimeoutEnvironment.and(SyncIntervalEnvironment).read();
  return { maxTtlSeconds: env.RESOURCE_LOCK_TIMEOUT_SECONDS, syncIntervalSeconds: env.SYNC_INTERVAL_SECONDS };
});
