import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import type { Construct } from "constructs";
import { DETECTION_DOCUMENTS } from "#detection/published/settings";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { JOB_FINISHED } from "#kernel/bus/job-events";
import { OPTIMIZATION_COMPLETED } from "#kernel/bus/optimization";
import { ModelsBucketEnvironment, ModelsTableEnvironment } from "#models/adapters/function-environments";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { MODEL_ROUTES } from "#models/published/routes";
import { SCORER_TRAINING_ARTIFACTS_PREFIX } from "#jobs/published/artifacts";
import { ArtifactBucket } from "../constructs/artifact-bucket";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { routeFunctions } from "../constructs/route-functions";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SettingsAccess } from "./optimization-stack";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";

export interface ModelsStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
  /** Reading the current `detection-keywords` version, which a promotion replaces. */
  readonly settings: SettingsAccess;
  /** The bucket `scorer-training` jobs write their artifacts to (the jobs stack's), which registration reads from. */
  readonly jobArtifacts: ArtifactBucket;
}

/** Where registered artifacts are kept in the models bucket. */
const MODELS_PREFIX = "models/";

/**
 * The model registry: a versioned, encrypted bucket of model artifacts and a table of their
 * versions, registration from succeeded `scorer-training` jobs, the `/api/models` routes, and the
 * promotion of a version through the optimization pipeline, whose outcome the version follows.
 */
export class ModelsStack extends Stack {
  readonly artifacts: ArtifactBucket;
  readonly table: SwarmTable;

  constructor(scope: Construct, id: string, props: ModelsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.artifacts = new ArtifactBucket(this, "Artifacts", { config, logPrefix: "models/" });
    this.table = new SwarmTable(this, "Models", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
    });
    const table = ModelsTableEnvironment.toEnvironment({ MODELS_TABLE: this.table.tableName });
    const bucket = ModelsBucketEnvironment.toEnvironment({ MODELS_BUCKET: this.artifacts.bucketName });
    const bus = EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName });
    const fn = (name: string, entry: string, description: string, environment: Record<string, string>) =>
      new SwarmFunction(this, name, {
        entry: `models/${entry}.ts`,
        description,
        context: "models",
        config,
        environment,
        timeout: Duration.seconds(30),
      });
    // Registration and promotion write several items at once (TransactWriteItems needs the item actions).
    const writes = ["GetItem", "PutItem", "UpdateItem", "ConditionCheckItem"];

    const api = routeFunctions(this, MODEL_ROUTES, {
      config,
      context: "models",
      environment: table,
      environmentOf: {
        exportModelVersion: bucket,
        promoteModelVersion: { ...bucket, ...props.settings.environment, ...bus },
      },
    });
    for (const read of [api.listModels, api.listModelVersions, api.getModelVersion, api.exportModelVersion])
      this.table.grant(read, "GetItem", "Query");
    this.artifacts.grantRead(api.exportModelVersion, MODELS_PREFIX);
    this.table.grant(api.promoteModelVersion, ...writes);
    this.artifacts.grantRead(api.promoteModelVersion, MODELS_PREFIX);
    props.settings.grantRead(api.promoteModelVersion, [DETECTION_DOCUMENTS.keywords]);
    grantPublish(props.bus, api.promoteModelVersion, EVENT_SOURCES.models);
    props.http.addRoutes(this, MODEL_ROUTES, api);

    const register = fn(
      "RegisterModelVersion",
      "register-model-version",
      "JobFinished (scorer-training): register a model version",
      {
        ...table,
        ...bucket,
      },
    );
    this.table.grant(register, ...writes);
    this.artifacts.grantWrite(register, MODELS_PREFIX);
    props.jobArtifacts.grantRead(register, SCORER_TRAINING_ARTIFACTS_PREFIX);
    new events.Rule(this, "TrainedModelsToRegistry", {
      description: "A succeeded scorer-training job registers a model version",
      eventBus: props.bus,
      eventPattern: {
        source: [EVENT_SOURCES.jobs],
        detailType: [JOB_FINISHED],
        detail: { jobType: ["scorer-training"], status: ["succeeded"] },
      },
      // A trained model that cannot be registered is kept and alarmed, never dropped (ADR 0017).
      targets: [
        guardedLambdaTarget(register, {
          failures: new FailureQueue(this, "RegistrationFailures", {
            holds: "finished scorer-training jobs whose model version could not be registered",
          }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    const follow = fn(
      "FollowPromotion",
      "follow-promotion",
      "OptimizationCompleted: a promoted version follows its outcome",
      table,
    );
    this.table.grant(follow, ...writes);
    new events.Rule(this, "PromotionOutcomes", {
      description: "An optimization's outcome settles the model promotion it carried, when it carried one",
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCES.optimization], detailType: [OPTIMIZATION_COMPLETED] },
      targets: [
        guardedLambdaTarget(follow, {
          failures: new FailureQueue(this, "PromotionOutcomeFailures", {
            holds: "optimization outcomes a model promotion could not follow",
          }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    new CfnOutput(this, "ModelsBucketName", { value: this.artifacts.bucketName });
    new CfnOutput(this, "ModelsTableName", { value: this.table.tableName });
    new CfnOutput(this, "RegisterModelVersionFunctionName", { value: register.functionName });
  }
}
