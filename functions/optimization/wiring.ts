import * as z from "zod";
import { LocksTableEnv, ResourceLocks } from "#coordination/published/locks";
import { RiskLevel } from "#kernel/bus/optimization";
import { CoordinationDocumentLocks } from "#optimization/adapters/coordination-document-locks";
import { DynamoDbOptimizationStore } from "#optimization/adapters/dynamodb-optimization-store";
import { DynamoDbVersionLedger } from "#optimization/adapters/dynamodb-version-ledger";
import { S3SettingsBucket } from "#optimization/adapters/s3-settings-bucket";
import { SfnPipelineControl } from "#optimization/adapters/sfn-pipeline-control";
import type { ApprovalPolicy } from "#optimization/domain/risk";
import { dynamoDocumentClient, eventBridgeClient, s3Client, stepFunctionsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { readEnv } from "#shared/env";
import { once } from "#shared/once";
import { taskFigures } from "#tasks/published/task-figures";

/**
 * Wiring shared by the optimization handlers. Each piece reads only the variables it needs, on
 * first use, so a function is configured with exactly what it uses and fails at once if one is
 * bad (and a function given no token table cannot reach the task tokens).
 */
const db = once(() => dynamoDocumentClient());
const s3 = once(() => s3Client());
const table = once(() => readEnv(z.object({ OPTIMIZATIONS_TABLE: z.string().min(1) })).OPTIMIZATIONS_TABLE);
const bucketName = once(() => readEnv(z.object({ SETTINGS_BUCKET: z.string().min(1) })).SETTINGS_BUCKET);

export const clock = systemClock;

/** The recommendations, without the task tokens. */
export const store = once(() => new DynamoDbOptimizationStore(db(), table()));
/** The recommendations and the task tokens beside them: only for waiting for and making decisions. */
export const storeWithTokens = once(
  () =>
    new DynamoDbOptimizationStore(
      db(),
      table(),
      readEnv(z.object({ APPROVAL_TOKENS_TABLE: z.string().min(1) })).APPROVAL_TOKENS_TABLE,
    ),
);
export const ledger = once(() => new DynamoDbVersionLedger(db(), table()));
export const bucket = once(() => new S3SettingsBucket(s3(), bucketName()));
export const locks = once(
  () =>
    new CoordinationDocumentLocks(
      new ResourceLocks({ db: db(), tableName: readEnv(LocksTableEnv).LOCKS_TABLE }),
      s3(),
      bucketName,
    ),
);
export const control = once(
  () =>
    new SfnPipelineControl(stepFunctionsClient(), readEnv(z.object({ STATE_MACHINE_ARN: z.string().min(1) })).STATE_MACHINE_ARN),
);
export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);
export const figures = once(() => taskFigures(db(), readEnv(z.object({ TASK_STATS_TABLE: z.string().min(1) })).TASK_STATS_TABLE));

/** The stage's approval policy: `autoApplyLowRisk` and `requireApprovalThreshold`. */
export const policy = once((): ApprovalPolicy => {
  const env = readEnv(z.object({ AUTO_APPLY_LOW_RISK: z.enum(["true", "false"]), REQUIRE_APPROVAL_THRESHOLD: RiskLevel }));
  return { autoApplyLowRisk: env.AUTO_APPLY_LOW_RISK === "true", requireApprovalThreshold: env.REQUIRE_APPROVAL_THRESHOLD };
});

const seconds = (name: string) => once(() => readEnv(z.object({ [name]: z.coerce.number().int().min(0) }))[name] as number);
export const approvalTimeoutSeconds = seconds("APPROVAL_TIMEOUT_SECONDS");
export const verificationWindowSeconds = seconds("VERIFICATION_WINDOW_SECONDS");
export const lockWaitSeconds = seconds("LOCK_WAIT_SECONDS");
export const lockLeaseSeconds = seconds("LOCK_LEASE_SECONDS");
