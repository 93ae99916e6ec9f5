import { type App, AspectPriority, Aspects, CfnCondition, CfnResource, Fn, type IAspect, Stack } from "aws-cdk-lib";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";

/**
 * Resource types the emulator's CloudFormation refuses ("Unsupported resource type"). They
 * are kept in the template under a condition that is always false, so the rest deploys.
 * Canary: test/e2e/local-fidelity/unsupported-types.e2e.test.ts.
 */
export const UNSUPPORTED_RESOURCE_TYPES: ReadonlySet<string> = new Set(["AWS::Events::Archive"]);

type Intrinsic = unknown;
const split = (sep: string, value: Intrinsic) => ({ "Fn::Split": [sep, value] });
const select = (index: number, list: Intrinsic) => ({ "Fn::Select": [index, list] });
const join = (parts: Intrinsic[]) => ({ "Fn::Join": ["", parts] });

/**
 * Environment values that name AWS endpoints a function cannot reach on a laptop, and the
 * emulator address that serves the same thing. Each takes the value as CloudFormation will
 * resolve it and builds the local form from its parts.
 */
const ENV_REWRITES: Readonly<Record<string, (endpoint: string, value: Intrinsic) => Intrinsic>> = {
  // https://<apiId>.execute-api.<region>.amazonaws.com/<stage> → <endpoint>/_aws/execute-api/<apiId>/<stage>
  // (the <apiId>.execute-api.localhost host names do not resolve here). Canary: websocket-callback.
  WS_CALLBACK_URL: (endpoint, value) => {
    const parts = split("/", value);
    return join([endpoint, "/_aws/execute-api/", select(0, split(".", select(2, parts))), "/", select(3, parts)]);
  },
  // https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json → <endpoint>/<poolId>/.well-known/jwks.json.
  // Canary: cognito-jwks.
  JWT_JWKS_URI: (endpoint, value) => join([endpoint, "/", select(3, split("/", value)), "/.well-known/jwks.json"]),
};

class EmulatorCompat implements IAspect {
  private readonly omitConditions = new Map<Stack, CfnCondition>();

  constructor(private readonly endpoint: string) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnResource && UNSUPPORTED_RESOURCE_TYPES.has(node.cfnResourceType)) {
      node.cfnOptions.condition = this.omitCondition(Stack.of(node));
    }
    if (node instanceof CfnFunction) this.rewriteEnvironment(node);
  }

  private omitCondition(stack: Stack): CfnCondition {
    let condition = this.omitConditions.get(stack);
    if (!condition) {
      condition = new CfnCondition(stack, "OmittedOnEmulator", { expression: Fn.conditionEquals("emulator", "aws") });
      this.omitConditions.set(stack, condition);
    }
    return condition;
  }

  private rewriteEnvironment(fn: CfnFunction): void {
    const resolved = Stack.of(fn).resolve(fn.environment) as
      | { Variables?: Record<string, unknown>; variables?: Record<string, unknown> }
      | undefined;
    const variables = resolved?.Variables ?? resolved?.variables ?? {};
    for (const [name, rewrite] of Object.entries(ENV_REWRITES)) {
      if (name in variables) {
        fn.addPropertyOverride(`Environment.Variables.${name}`, rewrite(this.endpoint, variables[name]));
      }
    }
  }
}

/**
 * Adapts the synthesized app to the local emulator. Applied by `bin/app.ts` only when the
 * `emulatorEndpoint` context is set, which only scripts/local does. Every adaptation is listed
 * in docs/local-fidelity.md with the canary test that proves it is still needed.
 */
export function applyEmulatorCompat(app: App, endpoint: string): void {
  Aspects.of(app).add(new EmulatorCompat(endpoint.replace(/\/+$/, "")), { priority: AspectPriority.MUTATING });
}
