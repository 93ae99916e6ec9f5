import { ECSClient } from "@aws-sdk/client-ecs";
import { DynamoDbAgentQuery } from "#agents/adapters/dynamodb-agent-query";
import { DynamoDbAgentRegistry } from "#agents/adapters/dynamodb-agent-registry";
import { DynamoDbFleetLedger } from "#agents/adapters/dynamodb-fleet-ledger";
import { EcsFleetController } from "#agents/adapters/ecs-fleet-controller";
import { AgentsTableEnvironment } from "#agents/published/agent-environment";
import { FleetLedgerEnvironment, FleetServicesEnvironment } from "#agents/adapters/function-environments";
import type { ActionDeps } from "#agents/domain/agent-actions";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "#optimization/published/runtime-settings";
import { s3SettingsReader, SettingsEnv } from "#optimization/published/settings-reader";
import { clientConfig, dynamoDocumentClient, eventBridgeClient, s3Client } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { readEnv } from "#shared/env";
import { logger, tracer } from "#shared/powertools";
import { once } from "#shared/once";

/**
 * Wiring shared by the agent handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const db = once(() => dynamoDocumentClient());
const agentsTable = once(() => AgentsTableEnvironment.read().AGENTS_TABLE);

export const registry = once(() => new DynamoDbAgentRegistry(db(), agentsTable()));
export const ledger = once(() => new DynamoDbFleetLedger(db(), FleetLedgerEnvironment.read().FLEET_LEDGER_TABLE));
export const fleet = once(() => {
  const env = FleetServicesEnvironment.read();
  const ecs = tracer.captureAWSv3Client(new ECSClient(clientConfig()));
  return new EcsFleetController(ecs, env.CLUSTER_NAME, env.SERVICE_NAMES);
});
export const agentQuery = once(() => new DynamoDbAgentQuery(db(), agentsTable()));
export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));
/** The `runtime-settings` document (the fleet's size per type, tasks per agent), revalidated by ETag. */
export const runtimeSettings = once(() =>
  s3SettingsReader({
    s3: s3Client(),
    env: readEnv(SettingsEnv),
    document: RUNTIME_SETTINGS_DOCUMENT,
    schema: RuntimeSettings,
    onProblem: (message, details) => logger.error(message, details),
  }),
);

/** The most agents one type may run, as the runtime settings say now. */
export const maxAgentsPerType = async (): Promise<number> => (await runtimeSettings().current()).value.maxAgentsPerType;

/** What the agent actions need, at `now`. */
export const actionDeps = async (now: Date): Promise<ActionDeps> => ({
  registry: registry(),
  fleet: fleet(),
  ledger: ledger(),
  now,
  maxAgentsPerType: await maxAgentsPerType(),
});
