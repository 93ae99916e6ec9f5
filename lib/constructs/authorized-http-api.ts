import { RemovalPolicy, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { StageConfig } from "../config/stage-config";

export interface AuthorizedHttpApiProps {
  readonly config: StageConfig;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** Origins the dashboard is served from. @default ["*"] (tokens, not cookies, carry identity) */
  readonly corsOrigins?: string[];
}

/** The one route that answers without a token. */
export const PUBLIC_ROUTES = new Set(["GET /api/health"]);

export interface SwarmRouteOptions {
  readonly method: apigw.HttpMethod;
  /** e.g. `/api/tasks/{taskId}` */
  readonly path: string;
  readonly handler: lambda.IFunction;
}

/**
 * The HTTP API with a Cognito JWT authorizer on every route by default, access logs and
 * throttling. Routes are added through `addRoute` from any stack; only the routes in
 * `PUBLIC_ROUTES` are left open, and that is decided here, not by each caller.
 */
export class AuthorizedHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly authorizer: HttpJwtAuthorizer;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: AuthorizedHttpApiProps) {
    super(scope, id);
    this.issuer = `https://cognito-idp.${props.config.region}.amazonaws.com/${props.userPool.userPoolId}`;
    this.authorizer = new HttpJwtAuthorizer("CognitoJwt", this.issuer, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ["$request.header.Authorization"],
    });
    this.api = new apigw.HttpApi(this, "Api", {
      description: `TGE Swarm REST API (${props.config.stage})`,
      defaultAuthorizer: this.authorizer,
      corsPreflight: {
        allowOrigins: props.corsOrigins ?? ["*"],
        allowHeaders: ["authorization", "content-type"],
        allowMethods: [apigw.CorsHttpMethod.ANY],
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

  /** Adds a route authorized by the JWT authorizer, unless it is one of `PUBLIC_ROUTES`. */
  /** Adds a stack's routes, each `[id, method, path, handler]`. */
  addRoutes(scope: Construct, routes: readonly (readonly [string, apigw.HttpMethod, string, lambda.IFunction])[]): void {
    for (const [id, method, path, handler] of routes) this.addRoute(scope, id, { method, path, handler });
  }

  addRoute(scope: Construct, id: string, options: SwarmRouteOptions): apigw.HttpRoute {
    const isPublic = PUBLIC_ROUTES.has(`${options.method} ${options.path}`);
    const route = new apigw.HttpRoute(scope, id, {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.with(options.path, options.method),
      integration: new HttpLambdaIntegration(`${id}Integration`, options.handler),
      authorizer: isPublic ? new apigw.HttpNoneAuthorizer() : this.authorizer,
    });
    if (isPublic) {
      Validations.of(route).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          "The health check is public by design so load balancers and uptime probes can call it; it reveals component status only.",
      });
    }
    return route;
  }
}
