import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
export type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, unknown>;
};

/**
 * Every policy statement of the role of the one function in `stack` whose logical id is
 * `prefix` and CDK's hash (as `BroadcastEvent7BE188A7`, not `BroadcastEvents11DA50AD`), or,
 * failing that, starts with `prefix`. CDK moves what does not fit in a role's inline policy to managed "overflow"
 * policies: both are read.
 */
export function statementsOf(stack: Stack, prefix: string): Statement[] {
  const template = Template.fromStack(stack);
  const all = Object.entries(template.findResources("AWS::Lambda::Function") as Resources);
  const exact = all.filter(([id]) => /^[0-9A-F]{8}$/.test(id.slice(prefix.length)) && id.startsWith(prefix));
  const functions = exact.length > 0 ? exact : all.filter(([id]) => id.startsWith(prefix));
  if (functions.length !== 1) throw new Error(`${functions.length} functions start with ${prefix}`);
  const role = (functions[0]?.[1].Properties?.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  const policies = [
    ...Object.values(template.findResources("AWS::IAM::Policy") as Resources),
    ...Object.values(template.findResources("AWS::IAM::ManagedPolicy") as Resources),
  ];
  return policies
    .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The actions the statements allow, each once, sorted. */
export const actionsOf = (statements: readonly Statement[]) =>
  [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();

/** The statements that allow `action`. */
export const grantsOf = (statements: readonly Statement[], action: string) =>
  statements.filter((statement) => [statement.Action].flat().includes(action));
