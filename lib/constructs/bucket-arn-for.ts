import { CfnOutput, Fn, Stack } from "aws-cdk-lib";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct, IConstruct } from "constructs";

/**
 * A bucket's ARN as a grantee's stack can use it, and how cdk-nag names that resource in its
 * findings (what an acknowledgement must say). In another stack the ARN comes through an export
 * whose name we choose, because CDK's own export names are hashed and could not be acknowledged
 * exactly.
 */
export function bucketArnFor(owner: Construct, bucket: s3.Bucket, grantee: IConstruct): { arn: string; named: string } {
  const stack = Stack.of(owner);
  if (Stack.of(grantee) === stack) {
    return { arn: bucket.bucketArn, named: `<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>` };
  }
  const exportName = `${stack.stackName}-${owner.node.id.toLowerCase()}-bucket-arn`;
  // An import by name is no reference CDK can see: the order of deploys has to be said.
  Stack.of(grantee).addDependency(stack, `imports ${exportName}`);
  if (!owner.node.tryFindChild("BucketArnExport")) {
    new CfnOutput(owner, "BucketArnExport", { value: bucket.bucketArn, exportName });
  }
  return { arn: Fn.importValue(exportName), named: exportName };
}
