import { RemovalPolicy, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { pathsOf, PUBLIC, type Route, type RouteTable, routeKey } from "#shared/routes";
import type { StageConfig } from "../config/stage-config";
import { SwarmTable } from "./swarm-table";

export interface AuthorizedHttpApiProps {
  readonly config: StageConfig;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** Origins the dashboard is served from. @default ["*"] (tokens, not cookies, carry identity) */
  readonly corsOrigins?: string[];
}

/**
 * The HTTP API with a Cognito JWT authorizer on every route by default, access logs and
 * throttling. Each context's stack adds its route table; a route is left open only when its
 * table says `PUBLIC`, and that is decided here, not by each caller.
 */
export class AuthorizedHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly authorizer: HttpJwtAuthorizer;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  readonly issuer: string;
  /** Callers' request budgets (layers/shared/rate-limits.ts), one token bucket per item, each expiring when idle. */
  readonly rateLimits: SwarmTable;

  constructor(scope: Construct, id: string, props: AuthorizedHttpApiProps) {
    super(scope, id);
    this.issuer = `https://cognito-idp.${props.config.region}.amazonaws.com/${props.userPool.userPoolId}`;
    this.authorizer = new HttpJwtAuthorizer("CognitoJwt", this.issuer, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ["$request.header.Authorization"],
    });
    this.rateLimits = new SwarmTable(this, "RateLimits", {
      config: props.config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
    });
    this.api = new apigw.HttpApi(this, "Api", {
      description: `TGE Swarm REST API (${props.config.stage})`,
      defaultAuthorizer: this.authorizer,
      corsPreflight: {
        allowOrigins: props.corsOrigins ?? ["*"],
        allowHeaders: ["authorization", "content-type"],
        allowMethods: [apigw.CorsHttpMethod.ANY],
        // What a browser client reads from the answers: the wait of a 429, versions, the next page, a new resource.
        exposeHeaders: ["retry-after", "etag", "link", "location"],
      },
    });
    const accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: props.config.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const stage = this.api.defaultStage?.node.defaultChild as apigw.CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        method: "$context.httpMethod",
        path: "$context.path",
        status: "$context.status",
        latencyMs: "$context.responseLatency",
        sub: "$context.authorizer.claims.sub",
        error: "$context.error.message",
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 500, throttlingRateLimit: 1_000 };
  }

  /**
   * Adds every route of a context's route table, each to its handler (a handler for every route
   * is required by the type), at each path it answers: `/api/<version>/…` for each of its
   * versions, and the unversioned alias of the current version. Routes that need a token go
   * behind the JWT authorizer. Every handler gets the rate-limits table (read and conditional
   * write of its callers' buckets, nothing else).
   */
  addRoutes<T extends RouteTable>(scope: Construct, table: T, handlers: { readonly [K in keyof T]: lambda.Function }): void {
    for (const [name, route] of Object.entries(table)) {
      const handler = handlers[name as keyof T];
      handler.addEnvironment("RATE_LIMITS_TABLE", this.rateLimits.tableName);
      this.rateLimits.grant(handler, "GetItem", "PutItem");
      const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      const integration = new HttpLambdaIntegration(`${id}Integration`, handler);
      for (const { path, version } of pathsOf(route)) {
        this.addRoute(
          scope,
          path === route.path ? `${id}Route` : `${id}${version.toUpperCase()}Route`,
          { ...route, path },
          integration,
        );
      }
    }
  }

  private addRoute(scope: Construct, id: string, route: Route, integration: HttpLambdaIntegration): apigw.HttpRoute {
    const isPublic = route.roles === PUBLIC;
    const httpRoute = new apigw.HttpRoute(scope, id, {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
      integration,
      authorizer: isPublic ? new apigw.HttpNoneAuthorizer() : this.authorizer,
    });
    if (isPublic) {
      Validations.of(httpRoute).acknowledge({
        id: "AwsSolutions-APIG4",
        reason: `${routeKey(route)} is public in its route table by design: ${route.description ?? route.summary}`,
      });
    }
    return httpRoute;
  }
}
