import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { AgentType } from "#kernel/agent-catalog";
import type { LedgerWritePlan, Versioned } from "#agents/domain/ledger-write";
import type { FleetLedger, ScalingRecord } from "#agents/domain/ports";
import { freshLedger, type RecoveryLedger } from "#agents/domain/recovery-policy";

/**
 * What not to do, kept for one test: the fleet ledger as it was before versions. It reads the
 * same rows as the real one, but writes each back with a plain put, whatever version its plan
 * was read at. Racing read-modify-write callers all "succeed", and every write but the last is
 * lost — the lost update the real ledger's condition prevents.
 */
export class UnconditionalFleetLedger implements FleetLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recovery(component: string): Promise<Versioned<RecoveryLedger>> {
    const item = await this.read(`RECOVERY#${component}`);
    return { value: (item?.ledger as RecoveryLedger | undefined) ?? freshLedger(component), version: Number(item?.version ?? 0) };
  }

  async saveRecovery(plan: LedgerWritePlan<RecoveryLedger>): Promise<void> {
    await this.put(`RECOVERY#${plan.set.component}`, "ledger", plan);
  }

  async scaling(agentType: AgentType): Promise<Versioned<ScalingRecord>> {
    const item = await this.read(`SCALING#${agentType}`);
    return { value: (item?.record as ScalingRecord | undefined) ?? { samples: [] }, version: Number(item?.version ?? 0) };
  }

  async saveScaling(agentType: AgentType, plan: LedgerWritePlan<ScalingRecord>): Promise<void> {
    await this.put(`SCALING#${agentType}`, "record", plan);
  }

  private async read(pk: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
    return Item;
  }

  private async put(pk: string, attribute: string, plan: LedgerWritePlan<unknown>) {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { pk, [attribute]: plan.set, version: plan.expectVersion + 1 } }),
    );
  }
}
