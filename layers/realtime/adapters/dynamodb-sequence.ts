import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SequenceSource } from "../domain/ports";

/** An atomic counter row: each `next()` is one ADD, so concurrent broadcasters never share a number. */
export class DynamoDbSequence implements SequenceSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly key: Record<string, string | number> = { pk: "SEQUENCE", sk: 0 },
  ) {}

  async next(): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: "ADD #value :one",
        ExpressionAttributeNames: { "#value": "value" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const value = Attributes?.value;
    if (typeof value !== "number") throw new Error("the sequence counter returned no number");
    return value;
  }
}
