import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";
import type { BusEvent } from "#shared/events";
import { IdempotencyTableEnvironment } from "#realtime/adapters/function-environments";
import type { ServerEvent, ServerEventType } from "#realtime/published/protocol";
import { recordEvent } from "#realtime/domain/record-event";
import { publishDeps } from "./wiring";

const env = IdempotencyTableEnvironment.read();
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: 24 * 60 * 60 });

/**
 * One `seq` per bus event, however often it is delivered (twice by EventBridge, or again from
 * the broadcast queue after a partial batch failure):
 *
 *   delivery 1 ──record(id)──▶ seq 41 stored ──fan-out──▶ clients see 41
 *   delivery 2 ──record(id)──▶ seq 41 (from the idempotency table) ──fan-out──▶ clients see 41 again and drop it
 */
const recordIdempotently = makeIdempotent(
  async (event: BusEvent, type: ServerEventType) => recordEvent(type, event.detail, publishDeps()),
  { persistenceStore: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE }), config: idempotency },
);

/** Records a bus event as a server event, once per event id; call `useContext` first in each invocation. */
export const recordOnce = (event: BusEvent, type: ServerEventType): Promise<ServerEvent> => recordIdempotently(event, type);

/** Lets the idempotency layer bound an in-progress record by the invocation's remaining time. */
export const useContext = (context: Context): void => idempotency.registerLambdaContext(context);
