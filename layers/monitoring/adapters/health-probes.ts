import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeEventBusCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { HealthProbe } from "../domain/health";

export const tableProbe = (name: string, db: DynamoDBClient, tableName: string): HealthProbe => ({
  name,
  check: async () => {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus !== "ACTIVE" && Table?.TableStatus !== "UPDATING") throw new Error(`table is ${Table?.TableStatus}`);
  },
});

export const queuesProbe = (name: string, sqs: SQSClient, queueUrls: readonly string[]): HealthProbe => ({
  name,
  check: async () => {
    await Promise.all(
      queueUrls.map((QueueUrl) => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))),
    );
  },
});

export const eventBusProbe = (name: string, events: EventBridgeClient, busName: string): HealthProbe => ({
  name,
  check: async () => {
    await events.send(new DescribeEventBusCommand({ Name: busName }));
  },
});
