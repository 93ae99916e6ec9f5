import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { settingsKey } from "#optimization/adapters/s3-settings-bucket";
import type { StageConfig } from "../config/stage-config";

export interface SettingsBucketProps {
  readonly config: StageConfig;
}

/**
 * The versioned, encrypted bucket the swarm's settings documents live in (one object per
 * document under `settings/`): every write is a new version, so rollback can restore any
 * earlier one byte for byte. TLS only, no public access, access logs to a bucket of their own,
 * old versions kept 90 days. Grants name the documents' objects, never the whole bucket.
 */
export class SettingsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: SettingsBucketProps) {
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
      serverAccessLogsPrefix: "settings/",
      // Rollback reads the version before a change; a quarter of a year of history is plenty for that and for audits.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the settings bucket's access logs; logging it to itself would loop.",
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /** Reading the named documents: the current version or any earlier one, with its metadata. */
  grantRead(grantee: iam.IGrantable, documents: readonly string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resourceArns: this.objectArns(documents),
    });
  }

  /** Reading the named documents and writing new versions of them (nothing is ever deleted). */
  grantReadWrite(grantee: iam.IGrantable, documents: readonly string[]): void {
    this.grantRead(grantee, documents);
    iam.Grant.addToPrincipal({ grantee, actions: ["s3:PutObject"], resourceArns: this.objectArns(documents) });
  }

  /**
   * Telling a missing document from a forbidden one: without `s3:ListBucket`, S3 answers 403 for
   * a key that does not exist. Only the seeding function needs it (it is the one that finds
   * documents missing), limited to the `settings/` prefix.
   */
  grantFindMissing(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:ListBucket"],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { "s3:prefix": [settingsKey("*")] } },
    });
  }

  private objectArns(documents: readonly string[]): string[] {
    return documents.map((name) => this.bucket.arnForObjects(settingsKey(name)));
  }
}
