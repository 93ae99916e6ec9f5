import { type AttributeValue, ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod";
import { updateExpressionsOf } from "#shared/adapters/conditional-update";
import type { AgentType } from "#kernel/agent-catalog";
import { LedgerConflictError, type LedgerWritePlan, type Versioned } from "../domain/ledger-write";
import type { FleetLedger, ScalingRecord } from "../domain/ports";
import { freshLedger, RecoveryLedger } from "../domain/recovery-policy";
import { FleetSample } from "../domain/scaling";

const StoredScaling = z.object({
  samples: z.array(FleetSample).default([]),
  lastScaleInAt: z.string().optional(),
  manualDesired: z.number().int().optional(),
  manualUntil: z.string().optional(),
  manualBy: z.string().optional(),
  lastDecision: z.object({ at: z.string(), desired: z.number().int(), reasons: z.array(z.string()) }).optional(),
});

/** A row's version; rows written before versions were kept have none and count as version 0. */
const StoredVersion = z.number().int().min(0).default(0);

/**
 * The monitor's, the scaler's and the agent API's memory, one row each, keyed by `pk`:
 *   RECOVERY#<component>   attempts, cooldown, breaker and the last 20 actions (`ledger`)
 *   SCALING#<agentType>    the last samples, last scale-in, a manual override (`record`)
 * Each row carries a `version`. A write is one UpdateItem conditional on the version its
 * writer read (absent for version 0) that adds one to it, so a write never lands over a change
 * its writer did not see; the loser gets a LedgerConflictError and decides again.
 */
export class DynamoDbFleetLedger implements FleetLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recovery(component: string): Promise<Versioned<RecoveryLedger>> {
    const item = await this.read(`RECOVERY#${component}`);
    return {
      value: item?.ledger === undefined ? freshLedger(component) : RecoveryLedger.parse(item.ledger),
      version: StoredVersion.parse(item?.version),
    };
  }

  async saveRecovery(plan: LedgerWritePlan<RecoveryLedger>): Promise<void> {
    await this.write(`RECOVERY#${plan.set.component}`, "ledger", plan);
  }

  async scaling(agentType: AgentType): Promise<Versioned<ScalingRecord>> {
    const item = await this.read(`SCALING#${agentType}`);
    return { value: StoredScaling.parse(item?.record ?? {}), version: StoredVersion.parse(item?.version) };
  }

  async saveScaling(agentType: AgentType, plan: LedgerWritePlan<ScalingRecord>): Promise<void> {
    await this.write(`SCALING#${agentType}`, "record", plan);
  }

  private async read(pk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
    return Item;
  }

  private async write(pk: string, attribute: "ledger" | "record", plan: LedgerWritePlan<unknown>): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          ...updateExpressionsOf({
            conditions: [
              plan.expectVersion === 0
                ? { attribute: "version", exists: false }
                : { attribute: "version", equals: plan.expectVersion },
            ],
            set: { [attribute]: plan.set },
            add: { version: 1 },
          }),
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client unmarshalls responses, not errors: the old item comes as raw attribute values.
      const found = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>).version : undefined;
      throw new LedgerConflictError(pk, plan.expectVersion, typeof found === "number" ? found : undefined, { cause: error });
    }
  }
}
