import * as z from "zod";
import { DynamoDbCoordinationEventStore } from "#coordination/adapters/dynamodb-event-store";
import { DynamoDbInsightStore } from "#coordination/adapters/dynamodb-insight-store";
import { LocksTableEnv, ResourceLocks } from "#coordination/published/locks";
import { dynamoDocumentClient, eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { readEnv } from "#shared/env";
import { once } from "#shared/once";

/**
 * Wiring shared by the coordination handlers; each piece reads only its own variables, on first
 * use, and fails at once if one is bad.
 */
const db = once(() => dynamoDocumentClient());

export const locks = once(() => new ResourceLocks({ db: db(), tableName: readEnv(LocksTableEnv).LOCKS_TABLE }));
export const locksTableName = once(() => readEnv(LocksTableEnv).LOCKS_TABLE);

export const eventStore = once(
  () =>
    new DynamoDbCoordinationEventStore(
      db(),
      readEnv(z.object({ COORDINATION_EVENTS_TABLE: z.string().min(1) })).COORDINATION_EVENTS_TABLE,
    ),
);

export const insightStore = once(
  () => new DynamoDbInsightStore(db(), readEnv(z.object({ INSIGHTS_TABLE: z.string().min(1) })).INSIGHTS_TABLE),
);

export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);

/** The stage's `resourceLockTimeout` (the longest lease) and `syncInterval`, in seconds. */
export const limits = once(() => {
  const env = readEnv(
    z.object({
      RESOURCE_LOCK_TIMEOUT_SECONDS: z.coerce.number().int().positive(),
      SYNC_INTERVAL_SECONDS: z.coerce.number().int().positive(),
    }),
  );
  return { maxTtlSeconds: env.RESOURCE_LOCK_TIMEOUT_SECONDS, syncIntervalSeconds: env.SYNC_INTERVAL_SECONDS };
});
