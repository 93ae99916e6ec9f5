import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, AttributeValue as StreamAttributeValue } from "aws-lambda";
import type { TaskChange } from "../domain/relay-task-change";
import { fromItem } from "./dynamodb-task-store";

const decode = (image: Record<string, StreamAttributeValue> | undefined) =>
  image ? fromItem(unmarshall(image as Record<string, AttributeValue>)) : undefined;

/**
 * The change a tasks-table stream record carries: the row before and after, decoded as the
 * store decodes rows. A row that does not decode throws (corruption is reported, not skipped).
 */
export function taskChangeOf(record: DynamoDBRecord): TaskChange {
  const previous = decode(record.dynamodb?.OldImage);
  const current = decode(record.dynamodb?.NewImage);
  return { ...(previous ? { previous } : {}), ...(current ? { current } : {}) };
}
