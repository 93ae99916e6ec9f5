import { CfnOutput, Duration, Stack, Token, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as guardduty from "aws-cdk-lib/aws-guardduty";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { FILE_INDEXES } from "#files/adapters/dynamodb-file-store";
import { FILES_PREFIX } from "#files/domain/layout";
import { FilesEnv } from "#files/published/file-access";
import { FILE_ROUTES } from "#files/published/routes";
import { UploadEnv, ValidationEnv } from "#files/published/upload-environment";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { FailureQueue } from "../constructs/failure-queue";
import { FilesBucket } from "../constructs/files-bucket";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { routeFunctions } from "../constructs/route-functions";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";

export interface FilesStackProps extends SwarmStackProps {
  readonly http: AuthorizedHttpApi;
}

/** How another stack's function reads valid files: the variables it gets and the grant. */
export interface FilesAccess {
  readonly environment: Readonly<Record<string, string>>;
  /** What validating files needs besides (with `grantValidateFiles`). */
  readonly validationEnvironment: Readonly<Record<string, string>>;
}

/**
 * Files (seed 004 uploads): the versioned, encrypted files bucket, the files table (one record
 * per file, two list indexes, the statistics counters), the API, and validation: S3's
 * `Object Created` events on the default bus → the validation function (retried, then kept in a
 * failure queue). In `prod`, GuardDuty Malware Protection for S3 scans every upload, tags its
 * verdict, and its scan results re-run validation; files stay `pending` until then.
 */
export class FilesStack extends Stack {
  readonly filesBucket: FilesBucket;
  readonly filesTable: SwarmTable;
  /** What a function of another stack needs to read valid files (with `grantReadValidDatasets`). */
  readonly access: FilesAccess;

  constructor(scope: Construct, id: string, props: FilesStackProps) {
    super(scope, id, props);
    const { config } = props;
    const scansMalware = config.stage === "prod";

    this.filesBucket = new FilesBucket(this, "Files", { config });
    this.filesTable = new SwarmTable(this, "FilesTable", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        { key: "listKey", index: FILE_INDEXES.byTime },
        { key: "fileType", index: FILE_INDEXES.byType },
      ].map(({ key, index }) => ({
        indexName: index,
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        sortKey: { name: "createdAt", type: dynamodb.AttributeType.STRING },
      })),
    });
    const files = FilesEnv.toEnvironment({ FILES_TABLE: this.filesTable.tableName, FILES_BUCKET: this.filesBucket.bucketName });
    const validation = ValidationEnv.toEnvironment({ MALWARE_SCAN: scansMalware ? "guardduty" : "none" });
    this.access = { environment: files, validationEnvironment: validation };

    const api = routeFunctions(this, FILE_ROUTES, {
      config,
      context: "files",
      environment: files,
      environmentOf: {
        requestUploads: UploadEnv.toEnvironment({ MAX_UPLOAD_BYTES: config.maxUploadBytes }),
        validateFile: validation,
      },
      // Revalidation reads the whole upload (up to maxUploadBytes).
      timeoutOf: { validateFile: Duration.seconds(60) },
    });
    this.filesTable.grant(api.requestUploads, "PutItem", "UpdateItem");
    this.filesBucket.grantSignUploads(api.requestUploads);
    for (const read of [api.listFiles, api.getFile, api.getFileStatistics, api.downloadFile])
      this.filesTable.grant(read, "GetItem", "Query");
    this.filesBucket.grantReadUploads(api.downloadFile);
    props.http.addRoutes(this, FILE_ROUTES, api);

    // Validation on upload: one function for the notification and for the revalidate route.
    const validate = new SwarmFunction(this, "ValidateUpload", {
      entry: "files/validate-upload.ts",
      description: "An upload arrived (or its malware scan finished): validate it and record the verdict",
      context: "files",
      config,
      environment: { ...files, ...validation },
      timeout: Duration.seconds(60),
      // A 50 MB JSON document parsed in memory, with room for its objects.
      memorySize: 1_024,
    });
    for (const fn of [validate, api.validateFile]) this.grantValidateOne(fn);
    const failures = new FailureQueue(this, "ValidationFailures", {
      holds: "upload notifications whose validation failed in every retry",
    });
    const target = guardedLambdaTarget(validate, { failures, retryAttempts: 2, maxEventAge: Duration.hours(2) });
    // S3 sends object events to the account's default bus, not to ours.
    new events.Rule(this, "UploadsToValidation", {
      description: "An object created under files/ in the files bucket is validated",
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: { bucket: { name: [this.filesBucket.bucketName] }, object: { key: [{ prefix: FILES_PREFIX }] } },
      },
      targets: [target],
    });

    if (scansMalware) this.malwareProtection(target);

    new CfnOutput(this, "FilesBucketName", { value: this.filesBucket.bucketName });
    new CfnOutput(this, "FilesTableName", { value: this.filesTable.tableName });
    new CfnOutput(this, "ValidateUploadFunctionName", { value: validate.functionName });
    new CfnOutput(this, "FileValidationFailuresQueueUrl", { value: failures.queueUrl });
  }

  /** Validating files again and listing them newest first (the `file-validation` job). */
  grantValidateFiles(grantee: iam.IGrantable): void {
    this.grantValidateOne(grantee);
    this.filesTable.grant(grantee, "Query");
  }

  /** Validating a file named by id: its record, its object and its verdict tags. */
  private grantValidateOne(grantee: iam.IGrantable): void {
    this.filesTable.grant(grantee, "GetItem", "PutItem", "UpdateItem");
    this.filesBucket.grantValidate(grantee);
  }

  /**
   * Reading valid datasets (the `scorer-training` job's `file:<fileId>`): their records, and
   * their objects only while validation's tag says `valid`.
   */
  grantReadValidDatasets(grantee: iam.IGrantable): void {
    this.filesTable.grant(grantee, "GetItem");
    this.filesBucket.grantReadValid(grantee, "dataset");
  }

  /**
   * The malware-scanning hook (ADR 0019): GuardDuty Malware Protection for S3 scans each new
   * object under `files/`, tags it with its verdict (`GuardDutyMalwareScanStatus`), and sends
   * its result to the default bus, which re-runs validation; an infected file is invalid. AWS
   * only: the emulator has no GuardDuty.
   */
  private malwareProtection(target: events.IRuleTarget): void {
    const role = new iam.Role(this, "MalwareProtectionRole", {
      assumedBy: new iam.ServicePrincipal("malware-protection-plan.guardduty.amazonaws.com"),
      description: "GuardDuty Malware Protection for S3: scan and tag uploads in the files bucket",
    });
    const bucket = this.filesBucket.bucket;
    // The permissions GuardDuty documents for a protected bucket, each on that bucket alone.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
        resources: [bucket.arnForObjects(`${FILES_PREFIX}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
        resources: [bucket.arnForObjects(`${FILES_PREFIX}*`)],
        conditions: { "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": "GuardDutyMalwareScanStatus" } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:GetBucketNotification", "s3:PutBucketNotification", "s3:ListBucket"],
        resources: [bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets", "events:DescribeRule"],
        resources: [
          `arn:${Stack.of(this).partition}:events:${this.region}:${this.account}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*`,
        ],
        conditions: { StringLike: { "events:ManagedBy": "malware-protection-plan.guardduty.amazonaws.com" } },
      }),
    );
    this.filesBucket.acknowledgeUploads(role, "GuardDuty scans and tags every upload");
    const account = Token.isUnresolved(this.account) ? "<AWS::AccountId>" : this.account;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:${this.region}:${account}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*]`,
      reason:
        "GuardDuty names the EventBridge rule it manages for the plan itself; only rules with its prefix and managed by it.",
    });
    const plan = new guardduty.CfnMalwareProtectionPlan(this, "MalwareProtectionPlan", {
      role: role.roleArn,
      protectedResource: { s3Bucket: { bucketName: bucket.bucketName, objectPrefixes: [FILES_PREFIX] } },
      actions: { tagging: { status: "ENABLED" } },
    });
    plan.node.addDependency(role);
    new events.Rule(this, "ScanResultsToValidation", {
      description: "GuardDuty finished scanning an upload: validate it again with the verdict",
      eventPattern: {
        source: ["aws.guardduty"],
        detailType: ["GuardDuty Malware Protection Object Scan Result"],
        detail: { s3ObjectDetails: { bucketName: [bucket.bucketName] } },
      },
      targets: [target],
    });
  }
}
