import { LocksTableEnvironment, ResourceLocks } from "#coordination/published/locks";
import { CoordinationDocumentLocks } from "#optimization/adapters/coordination-document-locks";
import { DynamoDbOptimizationStore } from "#optimization/adapters/dynamodb-optimization-store";
import { DynamoDbVersionLedger } from "#optimization/adapters/dynamodb-version-ledger";
import { S3SettingsBucket } from "#optimization/adapters/s3-settings-bucket";
import { SfnPipelineControl } from "#optimization/adapters/sfn-pipeline-control";
import {
  ApprovalPolicyEnvironment,
  ApprovalTimeoutEnvironment,
  ApprovalTokensEnvironment,
  DocumentLockEnvironment,
  OptimizationsTableEnvironment,
  StateMachineEnvironment,
  VerificationWindowEnvironment,
} from "#optimization/adapters/function-environments";
import { SettingsBucketEnvironment } from "#optimization/published/settings-reader";
import type { ApprovalPolicy } from "#optimization/domain/risk";
import { dynamoDocumentClient, eventBridgeClient, s3Client, stepFunctionsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { once } from "#shared/once";
import { taskFigures } from "#tasks/published/task-figures";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";

/**
 * Wiring shared by the optimization handlers. Each piece reads only the variables it needs, on
 * first use, so a function is configured with exactly what it uses and fails at once if one is
 * bad (and a function given no token table cannot reach the task tokens).
 */
const db = once(() => dynamoDocumentClient());
const s3 = once(() => s3Client());
const table = once(() => OptimizationsTableEnvironment.read().OPTIMIZATIONS_TABLE);
const bucketName = once(() => SettingsBucketEnvironment.read().SETTINGS_BUCKET);

export const clock = systemClock;

/** The recommendations, without the task tokens. */
export const store = once(() => new DynamoDbOptimizationStore(db(), table()));
/** The recommendations and the task tokens beside them: only for waiting for and making decisions. */
export const storeWithTokens = once(
  () => new DynamoDbOptimizationStore(db(), table(), ApprovalTokensEnvironment.read().APPROVAL_TOKENS_TABLE),
);
export const ledger = once(() => new DynamoDbVersionLedger(db(), table()));
export const bucket = once(() => new S3SettingsBucket(s3(), bucketName()));
export const locks = once(
  () =>
    new CoordinationDocumentLocks(
      new ResourceLocks({ db: db(), tableName: LocksTableEnvironment.read().LOCKS_TABLE }),
      s3(),
      bucketName,
    ),
);
export const control = once(
  () => new SfnPipelineControl(stepFunctionsClient(), StateMachineEnvironment.read().STATE_MACHINE_ARN),
);
export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));
export const figures = once(() => taskFigures(db(), TaskStatsTableEnvironment.read().TASK_STATS_TABLE));

/** The stage's approval policy: `autoApplyLowRisk` and `requireApprovalThreshold`. */
export const policy = once((): ApprovalPolicy => {
  const env = ApprovalPolicyEnvironment.read();
  return { autoApplyLowRisk: env.AUTO_APPLY_LOW_RISK, requireApprovalThreshold: env.REQUIRE_APPROVAL_THRESHOLD };
});

export const approvalTimeoutSeconds = once(() => ApprovalTimeoutEnvironment.read().APPROVAL_TIMEOUT_SECONDS);
export const verificationWindowSeconds = once(() => VerificationWindowEnvironment.read().VERIFICATION_WINDOW_SECONDS);
const documentLock = once(() => DocumentLockEnvironment.read());
export const lockWaitSeconds = () => documentLock().LOCK_WAIT_SECONDS;
export const lockLeaseSeconds = () => documentLock().LOCK_LEASE_SECONDS;
