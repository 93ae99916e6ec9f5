import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import type { StageConfig } from "../config/stage-config";

export interface SwarmTableProps {
  readonly config: StageConfig;
  readonly partitionKey: dynamodb.Attribute;
  /** @default no sort key */
  readonly sortKey?: dynamodb.Attribute;
  /** Attribute holding an epoch-seconds expiry. @default no TTL */
  readonly timeToLiveAttribute?: string;
  /** @default no stream */
  readonly dynamoStream?: dynamodb.StreamViewType;
  /** @default none */
  readonly globalSecondaryIndexes?: dynamodb.GlobalSecondaryIndexPropsV2[];
}

/**
 * An on-demand DynamoDB table with point-in-time recovery and encryption at rest (AWS-managed
 * key), retained and deletion-protected in stages that keep data.
 */
export class SwarmTable extends Construct {
  readonly table: dynamodb.TableV2;
  private readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: SwarmTableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, "Table", {
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.config.retainData,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeToLiveAttribute: props.timeToLiveAttribute,
      dynamoStream: props.dynamoStream,
      globalSecondaryIndexes: props.globalSecondaryIndexes,
    });
    this.indexNames = (props.globalSecondaryIndexes ?? []).map((index) => index.indexName);
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Grants `actions` on the table and on each of its indexes by name — never `index/*`,
   * so a grant reaches exactly what exists.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: actions.map((action) => (action.includes(":") ? action : `dynamodb:${action}`)),
      resourceArns: [this.table.tableArn, ...this.indexNames.map((name) => `${this.table.tableArn}/index/${name}`)],
    });
  }
}
