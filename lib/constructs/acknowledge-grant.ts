import { Validations } from "aws-cdk-lib";
import type * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

type Acknowledgement = Parameters<ReturnType<typeof Validations.of>["acknowledge"]>[0];

/**
 * Acknowledges a cdk-nag finding of a grant where the grant lands: on the grantee and on its
 * principal (a function's role is its own construct beside it, ADR 0016), so the finding is
 * acknowledged on the policy it is about and nowhere else.
 *
 * @example
 * acknowledgeGrant(fn, { id: "AwsSolutions-IAM5[Resource::…/models/*]", reason: "…" });
 */
export function acknowledgeGrant(grantee: iam.IGrantable, ...acknowledgements: Acknowledgement[]): void {
  const nodes = new Set<Construct>();
  if (Construct.isConstruct(grantee)) nodes.add(grantee);
  if (Construct.isConstruct(grantee.grantPrincipal)) nodes.add(grantee.grantPrincipal);
  for (const node of nodes) Validations.of(node).acknowledge(...acknowledgements);
}
