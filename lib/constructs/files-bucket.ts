import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { FileType } from "#files/domain/files";
import { FILES_PREFIX, fileTypePattern, VALIDATION_TAG } from "#files/domain/layout";
import type { StageConfig } from "../config/stage-config";
import { bucketArnFor } from "./bucket-arn-for";
import { acknowledgeGrant } from "./acknowledge-grant";

export interface FilesBucketProps {
  readonly config: StageConfig;
}

/**
 * The bucket users' uploads land in (one object per file under `files/<type>/<id>`):
 * versioned (a re-upload is a new version; validation records which one it judged), encrypted,
 * TLS only, no public access, access-logged, abandoned multipart uploads cleaned after a day,
 * old versions kept 30 days. It sends its object events to EventBridge through the L1
 * `NotificationConfiguration` — never CDK's `Custom::S3BucketNotifications`, whose Python
 * handler the emulator cannot run (docs/local-fidelity.md). Grants name key patterns, never
 * the whole bucket; reading valid datasets is conditional on validation's tag.
 */
export class FilesBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: FilesBucketProps) {
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
      serverAccessLogsPrefix: "files/",
      lifecycleRules: [
        // A form upload is one request, but the bucket may take multipart uploads too: none is kept half-done.
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // A re-upload replaces the version validation judges; the old one stays a month for audits.
        { noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
    });
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the files bucket's access logs; logging it to itself would loop.",
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Signing upload forms for `files/*`: a presigned POST acts with its signer's permissions, so
   * the signer may put objects there and nowhere else.
   */
  grantSignUploads(grantee: iam.IGrantable): iam.Grant {
    const uploads = this.acknowledgeUploads(grantee, "the signer puts objects at keys it makes per file (files/<type>/<new id>)");
    return iam.Grant.addToPrincipal({ grantee, actions: ["s3:PutObject"], resourceArns: [uploads] });
  }

  /** Reading any upload (the signer of download links; validation). */
  grantReadUploads(grantee: iam.IGrantable): iam.Grant {
    const uploads = this.acknowledgeUploads(
      grantee,
      "it reads whichever file it is asked for; every upload's key is under files/",
    );
    return iam.Grant.addToPrincipal({ grantee, actions: ["s3:GetObject", "s3:GetObjectVersion"], resourceArns: [uploads] });
  }

  /**
   * What validation needs: reading uploads and their tags, tagging the version it judged, and
   * telling a missing upload from a forbidden one (`s3:ListBucket` under `files/` only).
   */
  grantValidate(grantee: iam.IGrantable): void {
    this.grantReadUploads(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
      resourceArns: [this.acknowledgeUploads(grantee, "it tags the version of whichever file it judged")],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:ListBucket"],
      resourceArns: [Construct.isConstruct(grantee) ? bucketArnFor(this, this.bucket, grantee).arn : this.bucket.bucketArn],
      conditions: { StringLike: { "s3:prefix": [`${FILES_PREFIX}*`] } },
    });
  }

  /** Reading objects of one type that validation tagged valid; an invalid or unjudged one is refused by S3. */
  grantReadValid(grantee: iam.IGrantable, fileType: FileType): iam.Grant {
    const pattern = fileTypePattern(fileType);
    let bucketArn = this.bucket.bucketArn;
    if (Construct.isConstruct(grantee)) {
      const { arn, named } = bucketArnFor(this, this.bucket, grantee);
      bucketArn = arn;
      acknowledgeGrant(grantee, {
        id: `AwsSolutions-IAM5[Resource::${named}/${pattern}]`,
        reason: `Objects of type ${fileType} under files/ only, and only while validation's tag says valid (a condition of the grant).`,
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:GetObject", "s3:GetObjectVersion"],
      resourceArns: [`${bucketArn}/${pattern}`],
      conditions: { StringEquals: { [`s3:ExistingObjectTag/${VALIDATION_TAG}`]: "valid" } },
    });
  }

  /**
   * cdk-nag flags the `files/*` pattern; keys are made per file at request time, so the prefix
   * is the narrowest resource there is. Acknowledged on the grantee only, naming the pattern;
   * answers the pattern's ARN as the grantee's stack can use it.
   */
  acknowledgeUploads(grantee: iam.IGrantable, why: string): string {
    if (!Construct.isConstruct(grantee)) return this.bucket.arnForObjects(`${FILES_PREFIX}*`);
    const { arn, named } = bucketArnFor(this, this.bucket, grantee);
    acknowledgeGrant(grantee, {
      id: `AwsSolutions-IAM5[Resource::${named}/${FILES_PREFIX}*]`,
      reason: `Objects under files/ only: ${why}.`,
    });
    return `${arn}/${FILES_PREFIX}*`;
  }
}
