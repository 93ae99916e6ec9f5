import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import type { LedgerEntry, VersionLedger } from "../domain/ports";
import { SettingsName } from "../domain/settings-catalog";
import { SettingsVersion } from "../domain/views";

const StoredEntry = SettingsVersion.extend({ document: SettingsName });

const docPk = (name: string) => `DOC#${name}`;
const VERSION_PREFIX = "V#";

/**
 * The settings ledger, in the optimizations table under `DOC#<name>`:
 *
 *   FENCE               the highest fencing token any write of the document was made under
 *   VID#<versionId>     marks a version as recorded (so recording it again adds nothing)
 *   V#<at>#<versionId>  the version's entry: who, through which optimization, under which token
 */
export class DynamoDbVersionLedger implements VersionLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async fence(name: SettingsName, token: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: docPk(name), sk: "FENCE" },
          UpdateExpression: "SET fencingToken = :token",
          ConditionExpression: "attribute_not_exists(fencingToken) OR fencingToken <= :token",
          ExpressionAttributeValues: { ":token": token },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async record(entry: LedgerEntry): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: docPk(entry.document), sk: `VID#${entry.versionId}` },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: docPk(entry.document), sk: `${VERSION_PREFIX}${entry.createdAt}#${entry.versionId}`, ...entry },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const recorded =
        error instanceof TransactionCanceledException && (error.CancellationReasons ?? [])[0]?.Code === "ConditionalCheckFailed";
      if (!recorded) throw error;
    }
  }

  async history(name: SettingsName, limit: number, cursor?: string): Promise<{ items: LedgerEntry[]; nextCursor?: string }> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": docPk(name), ":prefix": VERSION_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor
          ? decodeCursor(cursor, { index: "ledger", keys: { pk: "S", sk: "S" }, fixed: { pk: docPk(name) } })
          : undefined,
      }),
    );
    const items: LedgerEntry[] = (page.Items ?? []).map(({ pk: _pk, sk: _sk, ...entry }) => StoredEntry.parse(entry));
    return { items, ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor("ledger", page.LastEvaluatedKey) } : {}) };
  }
}
