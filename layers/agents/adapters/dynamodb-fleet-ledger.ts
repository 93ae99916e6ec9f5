import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { AgentType } from "#kernel/agent-catalog";
import type { FleetLedger, ScalingRecord } from "../domain/ports";
import { freshLedger, RecoveryLedger } from "../domain/recovery-policy";
import { FleetSample } from "../domain/scaling";

const StoredScaling = z.object({
  samples: z.array(FleetSample).default([]),
  lastScaleInAt: z.string().optional(),
  manualDesired: z.number().int().optional(),
  manualUntil: z.string().optional(),
  lastDecision: z.object({ at: z.string(), desired: z.number().int(), reasons: z.array(z.string()) }).optional(),
});

/**
 * The monitor's and scaler's memory, one row each, keyed by `pk`:
 *   RECOVERY#<component>   attempts, cooldown, breaker and the last 20 actions
 *   SCALING#<agentType>    the last 15 one-minute samples, last scale-in, a manual override
 * Each run reads, decides and writes back; the schedule runs one at a time.
 */
export class DynamoDbFleetLedger implements FleetLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recovery(component: string): Promise<RecoveryLedger> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `RECOVERY#${component}` }, ConsistentRead: true }),
    );
    return Item ? RecoveryLedger.parse(Item.ledger) : freshLedger(component);
  }

  async saveRecovery(ledger: RecoveryLedger): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `RECOVERY#${ledger.component}`, ledger } }));
  }

  async scaling(agentType: AgentType): Promise<ScalingRecord> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `SCALING#${agentType}` }, ConsistentRead: true }),
    );
    return StoredScaling.parse(Item?.record ?? {});
  }

  async saveScaling(agentType: AgentType, record: ScalingRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `SCALING#${agentType}`, record } }));
  }
}
