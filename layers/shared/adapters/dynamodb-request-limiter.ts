import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RequestLimiter } from "../rate-limits";
import type { BucketLimits, TakeResult } from "../token-bucket";
import { DynamoDbBuckets } from "./dynamodb-buckets";

/** An idle bucket is full again long before this; its item then goes. */
const BUCKET_TTL_SECONDS = 3_600;

/** The API's per-caller buckets in the rate-limits table (`pk` = `USER#<sub>#<class>` or `IP#<ip>#<class>`). */
export class DynamoDbRequestLimiter implements RequestLimiter {
  private readonly buckets: DynamoDbBuckets;
  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.buckets = new DynamoDbBuckets(db, tableName);
  }

  take(key: string, limits: BucketLimits, nowMs: number): Promise<TakeResult> {
    return this.buckets.take({ pk: key }, limits, nowMs, BUCKET_TTL_SECONDS);
  }
}
