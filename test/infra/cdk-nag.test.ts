import { CfnResource } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { acknowledgements, synthesize } from "./support/synth";

describe("cdk-nag AwsSolutions and Serverless packs, and CloudFormation template validation", () => {
  for (const stage of ["local", "dev", "prod"] as const) {
    it(`finds nothing unacknowledged in the ${stage} stage`, () => {
      expect(synthesize(stage, { validateTemplates: true }).violations).toEqual([]);
    });
  }

  it("does report a template CloudFormation would refuse (so the check above can fail)", () => {
    const { violations } = synthesize("dev", {
      validateTemplates: true,
      extend: (stacks) =>
        new CfnResource(stacks.tasks, "MisspeltQueue", { type: "AWS::SQS::Queue", properties: { VisibilityTimeOut: 30 } }),
    });
    expect(violations.some((violation) => violation.includes("MisspeltQueue"))).toBe(true);
  });

  it("does report a finding of either pack (so the check above can fail)", () => {
    const { violations } = synthesize("dev", { extend: (stacks) => new sqs.Queue(stacks.tasks, "UnguardedQueue") });
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-SQS3 at .*UnguardedQueue/),
        expect.stringMatching(/^AwsSolutions-SQS4 at .*UnguardedQueue/),
        expect.stringMatching(/^Serverless-SQSRedrivePolicy at .*UnguardedQueue/),
      ]),
    );
  });

  it("gives every acknowledgement a specific reason", () => {
    const acks = acknowledgements(synthesize("prod").app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason, `${ack.id} at ${ack.path}`).toMatch(/\S{3,}/);
      expect(ack.reason.length, `${ack.id} at ${ack.path} needs a reason a reviewer can check`).toBeGreaterThanOrEqual(40);
      expect(ack.reason, `${ack.id} at ${ack.path}`).not.toMatch(/^(todo|n\/a|not needed|suppress(ed)?|ignore)\b/i);
    }
  });
});
