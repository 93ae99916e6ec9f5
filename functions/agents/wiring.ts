import { ECSClient } from "@aws-sdk/client-ecs";
import * as z from "zod";
import { DynamoDbAgentQuery } from "#agents/adapters/dynamodb-agent-query";
import { DynamoDbAgentRegistry } from "#agents/adapters/dynamodb-agent-registry";
import { DynamoDbFleetLedger } from "#agents/adapters/dynamodb-fleet-ledger";
import { EcsFleetController } from "#agents/adapters/ecs-fleet-controller";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import type { ActionDeps } from "#agents/domain/agent-actions";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "#optimization/published/runtime-settings";
import { s3SettingsReader, SettingsEnv } from "#optimization/published/settings-reader";
import { clientConfig, dynamoDocumentClient, eventBridgeClient, s3Client } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { jsonEnv, readEnv } from "#shared/env";
import { logger, tracer } from "#shared/powertools";
import { once } from "#shared/once";

/**
 * Wiring shared by the agent handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const db = once(() => dynamoDocumentClient());
const ServiceNames = z.record(AgentType, z.string().min(1)).refine((names) => AGENT_TYPES.every((t) => names[t]), {
  message: "must name a service for every agent type",
});

export const registry = once(
  () => new DynamoDbAgentRegistry(db(), readEnv(z.object({ AGENTS_TABLE: z.string().min(1) })).AGENTS_TABLE),
);
export const ledger = once(
  () => new DynamoDbFleetLedger(db(), readEnv(z.object({ FLEET_LEDGER_TABLE: z.string().min(1) })).FLEET_LEDGER_TABLE),
);
export const fleet = once(() => {
  const env = readEnv(z.object({ CLUSTER_NAME: z.string().min(1), SERVICE_NAMES: jsonEnv(ServiceNames) }));
  const ecs = tracer.captureAWSv3Client(new ECSClient(clientConfig()));
  return new EcsFleetController(ecs, env.CLUSTER_NAME, env.SERVICE_NAMES as Record<AgentType, string>);
});
export const agentQuery = once(
  () => new DynamoDbAgentQuery(db(), readEnv(z.object({ AGENTS_TABLE: z.string().min(1) })).AGENTS_TABLE),
);
export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);
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
