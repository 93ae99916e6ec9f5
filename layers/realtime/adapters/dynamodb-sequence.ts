import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SequenceSource } from "../domain/ports";

/**
 * An atomic counter row: each `next()` or `reserve(n)` is one ADD, so concurrent broadcasters
 * never share a number, and a batch of n events writes the row once (the one hot item every
 * event used to write, `docs/scale.md`).
 */
export class DynamoDbSequence implements SequenceSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly key: Record<string, string | number> = { pk: "SEQUENCE", sk: 0 },
  ) {}

  next(): Promise<number> {
    return this.reserve(1);
  }

  async reserve(count: number): Promise<number> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} sequence numbers`);
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: "ADD #value :count",
        ExpressionAttributeNames: { "#value": "value" },
        ExpressionAttributeValues: { ":count": count },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const value = Attributes?.value;
    if (typeof value !== "number") throw new Error("the sequence counter returned no number");
    return value - count + 1;
  }
}
