import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as backup from "aws-cdk-lib/aws-backup";
import * as events from "aws-cdk-lib/aws-events";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import type { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";

/** Seed 001: a backup a day, kept 30 days (RPO < 24 h). */
export const BACKUP_RETENTION_DAYS = 30;

export interface BackupStackProps extends SwarmStackProps {
  /** Every table of the swarm; each is backed up daily. */
  readonly tables: readonly SwarmTable[];
}

/**
 * AWS Backup for the `prod` stage (seed 001): every table, daily at 03:00 UTC, kept 30 days, in a
 * vault encrypted with a rotated key of its own, beside the point-in-time recovery every table
 * already has (35 days, to the second). Restores: docs/runbooks/restore.md. The emulator refuses
 * `AWS::Backup::BackupSelection`, so no other stage has this stack.
 */
export class BackupStack extends Stack {
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const key = new kms.Key(this, "VaultKey", {
      description: "Encrypts the TGE Swarm backup vault",
      enableKeyRotation: true,
      removalPolicy,
    });
    const vault = new backup.BackupVault(this, "Vault", { encryptionKey: key, removalPolicy });
    this.plan = new backup.BackupPlan(this, "DailyPlan", {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: "Daily",
          scheduleExpression: events.Schedule.cron({ hour: "3", minute: "0" }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(BACKUP_RETENTION_DAYS),
        }),
      ],
    });
    const selection = this.plan.addSelection("Tables", {
      resources: props.tables.map((table) => backup.BackupResource.fromArn(table.table.tableArn)),
    });
    Validations.of(selection).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]",
      reason:
        "AWS Backup's own service role policy: it lets the service snapshot the selected tables; AWS keeps it current as resource types change.",
    });
  }
}
