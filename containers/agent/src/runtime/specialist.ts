import type { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AgentType } from "#kernel/agent-catalog";
import type { RuntimeSettingsSource } from "./live-tuning";
import type { HandlerRegistry } from "./task-handler";

/** What a specialist agent adds to the runtime: its task types, and optionally work of its own. */
export interface Specialist {
  readonly handlers: HandlerRegistry;
  /** Work the agent does besides tasks (watching feeds); runs until `stop`. */
  readonly background?: { start(): void; stop(): Promise<void> };
}

/** What every specialist is built from. */
export interface SpecialistContext {
  readonly agentId: string;
  readonly agentType: AgentType;
  readonly env: Record<string, string | undefined>;
  readonly db: DynamoDBDocumentClient;
  readonly logger: Logger;
  readonly s3: S3Client;
  /** The `runtime-settings` document (the timeouts of the tasks the agent submits, among others). */
  readonly runtimeSettings: RuntimeSettingsSource;
}
