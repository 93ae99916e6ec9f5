import { type App, AspectPriority, Aspects, CfnCondition, CfnResource, Fn, type IAspect, Stack } from "aws-cdk-lib";
import { WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import { UserPool } from "aws-cdk-lib/aws-cognito";
import { type CfnFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";

/**
 * Resource types the emulator's CloudFormation refuses ("Unsupported resource type"). They
 * are kept in the template under a condition that is always false, so the rest deploys.
 * Canary: test/e2e/local-fidelity/emulator-canaries.test.ts.
 */
export const UNSUPPORTED_RESOURCE_TYPES: ReadonlySet<string> = new Set(["AWS::Events::Archive", "AWS::EC2::FlowLog"]);

/**
 * Adapts the app to the local emulator; each adaptation is listed in docs/local-fidelity.md
 * with the canary test that shows it is still needed.
 */
class EmulatorCompat implements IAspect {
  private readonly omitConditions = new Map<Stack, CfnCondition>();

  constructor(
    private readonly app: App,
    private readonly endpoint: string,
  ) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnResource && UNSUPPORTED_RESOURCE_TYPES.has(node.cfnResourceType)) {
      node.cfnOptions.condition = this.omitCondition(Stack.of(node));
    }
    if (node instanceof LambdaFunction) this.rewriteEnvironment(node);
  }

  private omitCondition(stack: Stack): CfnCondition {
    let condition = this.omitConditions.get(stack);
    if (!condition) {
      condition = new CfnCondition(stack, "OmittedOnEmulator", { expression: Fn.conditionEquals("emulator", "aws") });
      this.omitConditions.set(stack, condition);
    }
    return condition;
  }

  private rewriteEnvironment(fn: LambdaFunction): void {
    const cfn = fn.node.defaultChild as CfnFunction;
    // The L1 property, resolved before synthesis, is still in CDK's camelCase form.
    const resolved = Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
    const names = new Set(Object.keys(resolved?.variables ?? {}));

    // API Gateway's @connections endpoint is https://<apiId>.execute-api.<region>.amazonaws.com/<stage>;
    // the emulator serves it path-style, as those host names do not resolve here.
    if (names.has("WS_CALLBACK_URL")) {
      const stage = this.single(Stack.of(fn), WebSocketStage, "WS_CALLBACK_URL");
      fn.addEnvironment(
        "WS_CALLBACK_URL",
        Fn.join("", [this.endpoint, "/_aws/execute-api/", stage.api.apiId, "/", stage.stageName]),
      );
    }
    // Cognito publishes a pool's signing keys under its https://cognito-idp… issuer; the emulator
    // serves them at <endpoint>/<poolId>/.well-known/jwks.json. The issuer itself stays as on AWS.
    if (names.has("JWT_JWKS_URI")) {
      const pool = this.single(this.app, UserPool, "JWT_JWKS_URI");
      fn.addEnvironment("JWT_JWKS_URI", Fn.join("", [this.endpoint, "/", pool.userPoolId, "/.well-known/jwks.json"]));
    }
    // On the emulator, functions run on the host's Node (20 here); the SDK's notice that its 2027
    // releases need Node 22 would otherwise fill every local log.
    fn.addEnvironment("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true");
  }

  private single<T>(scope: IConstruct, type: abstract new (...args: never[]) => T, why: string): T {
    const found = scope.node.findAll().filter((c): c is IConstruct & T => c instanceof type);
    if (found.length !== 1)
      throw new Error(
        `emulator compat: ${why} needs exactly one ${type.name} in ${scope.node.path || "the app"}, found ${found.length}`,
      );
    return found[0] as T;
  }
}

/** The emulator's rewrites (JWKS URL, callback URLs, left-out resources) asked for on a stage that is not `local`. */
export class EmulatorCompatStageError extends Error {
  constructor(readonly stage: string) {
    super(`emulator compatibility rewrites apply to the local stage only, not to "${stage}"`);
    this.name = "EmulatorCompatStageError";
  }
}

/**
 * Adapts the synthesized app to the local emulator. Applied by `bin/app.ts` only when the
 * `emulatorEndpoint` context is set, which only scripts/local does, and refused for any stage
 * but `local`: a dev or prod template with the emulator's JWKS URL would trust the wrong keys.
 */
export function applyEmulatorCompat(app: App, endpoint: string, stage: string): void {
  if (stage !== "local") throw new EmulatorCompatStageError(stage);
  Aspects.of(app).add(new EmulatorCompat(app, endpoint.replace(/\/+$/, "")), { priority: AspectPriority.MUTATING });
}
