import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tracer } from "../powertools";

/**
 * Every SDK call gets a connect and a request deadline, so no wait is unbounded, and the SDK's
 * standard retry mode (capped exponential backoff with full jitter) as the one retry layer.
 */
export interface ClientTimeouts {
  /** @default 1000 */
  readonly connectionTimeoutMs?: number;
  /** @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Attempts including the first. @default 3 */
  readonly maxAttempts?: number;
}

const clientConfig = (timeouts: ClientTimeouts = {}) => ({
  maxAttempts: timeouts.maxAttempts ?? 3,
  retryMode: "standard" as const,
  requestHandler: {
    connectionTimeout: timeouts.connectionTimeoutMs ?? 1_000,
    requestTimeout: timeouts.requestTimeoutMs ?? 5_000,
  },
});

export function dynamoDocumentClient(timeouts?: ClientTimeouts): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(timeouts), { marshallOptions: { removeUndefinedValues: true } });
}

/** The plain client, for reading items as DynamoDB JSON (an export), where the document client would convert them. */
export function dynamoClient(timeouts?: ClientTimeouts): DynamoDBClient {
  return tracer.captureAWSv3Client(new DynamoDBClient(clientConfig(timeouts)));
}

export function sqsClient(timeouts?: ClientTimeouts): SQSClient {
  return tracer.captureAWSv3Client(new SQSClient(clientConfig(timeouts)));
}

export function eventBridgeClient(timeouts?: ClientTimeouts): EventBridgeClient {
  return tracer.captureAWSv3Client(new EventBridgeClient(clientConfig(timeouts)));
}

export function s3Client(timeouts?: ClientTimeouts): S3Client {
  return tracer.captureAWSv3Client(new S3Client(clientConfig(timeouts)));
}

export function stepFunctionsClient(timeouts?: ClientTimeouts): SFNClient {
  return tracer.captureAWSv3Client(new SFNClient(clientConfig(timeouts)));
}

export { clientConfig };
