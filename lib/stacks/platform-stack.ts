import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import * as events from "aws-cdk-lib/aws-events";
import type { Construct } from "constructs";
import { PLATFORM_ROUTES } from "#shared/platform-routes";
import { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { routeFunctions } from "../constructs/route-functions";
import type { SwarmStackProps } from "./swarm-stack-props";

export interface PlatformStackProps extends SwarmStackProps {
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
}

/** What every context plugs into: the `swarm` event bus (with an archive for replay) and the HTTP API. */
export class PlatformStack extends Stack {
  readonly bus: events.EventBus;
  readonly http: AuthorizedHttpApi;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new events.EventBus(this, "SwarmBus", { eventBusName: `tge-swarm-${config.stage}` });
    this.bus.archive("SwarmArchive", {
      description: "Every swarm event, for replay after an incident",
      eventPattern: { source: events.Match.prefix("tge-swarm.") },
      retention: Duration.days(config.retainData ? 30 : 7),
    });

    this.http = new AuthorizedHttpApi(this, "Http", {
      config,
      userPool: props.userPool,
      userPoolClient: props.userPoolClient,
    });

    const api = routeFunctions(this, PLATFORM_ROUTES, { config, context: "platform" });
    this.http.addRoutes(this, PLATFORM_ROUTES, api);

    new CfnOutput(this, "HttpApiUrl", { value: this.http.api.apiEndpoint });
    new CfnOutput(this, "HttpApiId", { value: this.http.api.apiId });
    new CfnOutput(this, "EventBusName", { value: this.bus.eventBusName });
  }
}
