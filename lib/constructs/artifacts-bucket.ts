import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { StageConfig } from "../config/stage-config";

export interface ArtifactsBucketProps {
  readonly config: StageConfig;
}

/**
 * The versioned, encrypted bucket jobs write their outputs to (a tuned scorer document, an
 * export): TLS only, no public access, access logs to a bucket of their own. Every write is a
 * new version, so a model version can name the exact bytes it came from. Grants name key
 * prefixes, never the whole bucket.
 */
export class ArtifactsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactsBucketProps) {
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
      serverAccessLogsPrefix: "artifacts/",
      // A model version points at an exact version; overwritten ones are kept a year for audits.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the artifacts bucket's access logs; logging it to itself would loop.",
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /** Writing new objects under `prefix` (a job type's outputs). */
  grantWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:PutObject"],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /** Reading objects under `prefix`, any version (the model registry reads the version a job wrote). */
  grantRead(grantee: iam.IGrantable, prefix: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }
}
