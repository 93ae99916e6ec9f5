import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct, type IConstruct } from "constructs";
import type { StageConfig } from "../config/stage-config";
import { bucketArnFor } from "./bucket-arn-for";
import { acknowledgeGrant } from "./acknowledge-grant";

export interface ArtifactBucketProps {
  readonly config: StageConfig;
  /** The prefix its access logs are written under, in a log bucket of its own. */
  readonly logPrefix: string;
  /** Days an overwritten version is kept. @default forever (a recorded version id always resolves) */
  readonly keepOverwrittenDays?: number;
}

/**
 * A versioned, encrypted bucket of artifacts that are referred to by S3 version id (model
 * versions, job outputs): every write is a new version, so a recorded version id names the bytes
 * it was recorded with. TLS only, no public access, access logs to a bucket of
 * their own. Grants name a prefix's objects, never the whole bucket.
 */
export class ArtifactBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.config.retainData ? 365 : 30) }],
      removalPolicy,
    });
    this.bucket = new s3.Bucket(this, "Bucket", {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: props.logPrefix,
      ...(props.keepOverwrittenDays === undefined
        ? {}
        : { lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(props.keepOverwrittenDays) }] }),
      removalPolicy,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the artifact bucket's access logs; logging it to itself would loop.",
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /** Reading objects under `prefix`, current or by version (what a presigned GET of a version needs too). */
  grantRead(grantee: iam.IGrantable & IConstruct, prefix: string): iam.Grant {
    return this.grant(grantee, prefix, "read", ["s3:GetObject", "s3:GetObjectVersion"]);
  }

  /** Writing new versions under `prefix` (nothing is ever deleted). */
  grantWrite(grantee: iam.IGrantable & IConstruct, prefix: string): iam.Grant {
    return this.grant(grantee, prefix, "write", ["s3:PutObject"]);
  }

  /** Artifacts are keyed by what produced them, so a grant can name their prefix but not each object. */
  private grant(grantee: iam.IGrantable & IConstruct, prefix: string, verb: string, actions: string[]): iam.Grant {
    const { arn, named } = bucketArnFor(this, this.bucket, grantee);
    acknowledgeGrant(grantee, {
      id: `AwsSolutions-IAM5[Resource::${named}/${prefix}*]`,
      reason: `It ${verb}s artifacts under ${prefix} of ${this.node.path}, each keyed by the job that produced it, so no exact key is known when granting; the grant names that prefix's objects only.`,
    });
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [`${arn}/${prefix}*`] });
  }
}
