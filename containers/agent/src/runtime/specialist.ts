import type { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AgentType } from "#kernel/agent-catalog";
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
}
