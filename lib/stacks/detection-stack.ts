import { CfnOutput, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import type { Construct } from "constructs";
import { DETECTIONS_BY_TIME_INDEX } from "#detection/adapters/dynamodb-detection-store";
import { DetectionsTableEnvironment, FeedScraperEnvironment } from "#detection/adapters/function-environments";
import { DETECTION_ROUTES } from "#detection/published/routes";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import type { SpecialistResources } from "../constructs/agent-service";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { routeFunctions } from "../constructs/route-functions";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";

export interface DetectionStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
}

/**
 * TGE detection: the feed items every scraper has seen (shared dedupe), the detections, the
 * route that lists them, and what each detection specialist needs on the fleet (its variables
 * and grants), which the agents stack applies to their task roles.
 */
export class DetectionStack extends Stack {
  readonly detectionsTable: SwarmTable;
  readonly feedItemsTable: SwarmTable;
  /** The scraper, the scorer and the validator: their variables and grants. */
  readonly specialists: {
    readonly "scraping-efficiency": SpecialistResources;
    readonly "keyword-precision": SpecialistResources;
    readonly "data-quality": SpecialistResources;
  };

  constructor(scope: Construct, id: string, props: DetectionStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.feedItemsTable = new SwarmTable(this, "FeedItems", {
      config,
      partitionKey: { name: "fingerprint", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
    });
    this.detectionsTable = new SwarmTable(this, "Detections", {
      config,
      partitionKey: { name: "eventKey", type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: DETECTIONS_BY_TIME_INDEX,
          partitionKey: { name: "kind", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "detectedAt", type: dynamodb.AttributeType.STRING },
        },
      ],
    });

    const detectionsTable = DetectionsTableEnvironment.toEnvironment({ DETECTIONS_TABLE: this.detectionsTable.tableName });
    this.specialists = {
      "scraping-efficiency": {
        // The feeds themselves, their interval and limit are the feed-sources settings document (seeded from the config).
        environment: FeedScraperEnvironment.toEnvironment({
          // Feeds on this machine (the local fixture feed) are internal addresses: allowed by name, on local only.
          FEED_PRIVATE_HOSTS: config.stage === "local" ? config.feedUrls.map((url) => new URL(url).host) : [],
          FEED_POLL_SECONDS: config.feedPollSeconds,
          FEED_BREAKER_FAILURE_THRESHOLD: config.circuitBreakerFailureThreshold,
          FEED_BREAKER_RECOVERY_SECONDS: config.circuitBreakerRecoveryTimeout,
          FEED_ITEMS_TABLE: this.feedItemsTable.tableName,
        }),
        grant: (role) => this.feedItemsTable.grant(role, "PutItem"),
      },
      "keyword-precision": { environment: {}, grant: () => undefined },
      "data-quality": {
        environment: {
          ...EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName }),
          ...detectionsTable,
        },
        grant: (role) => {
          this.detectionsTable.grant(role, "Query", "PutItem", "UpdateItem");
          grantPublish(props.bus, role, EVENT_SOURCES.detection);
        },
      },
    };

    const api = routeFunctions(this, DETECTION_ROUTES, {
      config,
      context: "detection",
      environment: detectionsTable,
    });
    this.detectionsTable.grant(api.listDetections, "Query");
    props.http.addRoutes(this, DETECTION_ROUTES, api);

    new CfnOutput(this, "DetectionsTableName", { value: this.detectionsTable.tableName });
    new CfnOutput(this, "FeedItemsTableName", { value: this.feedItemsTable.tableName });
  }
}
