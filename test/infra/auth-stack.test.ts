import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { loadStageConfig, type StageName } from "../../lib/config/stage-config";
import { AuthStack } from "../../lib/stacks/auth-stack";

const authFlowsOf = (stage: StageName): string[] => {
  const config = loadStageConfig(stage, {});
  const stack = new AuthStack(new App(), `auth-${stage}`, { config, env: { region: config.region } });
  const clients = Object.values(Template.fromStack(stack).findResources("AWS::Cognito::UserPoolClient")) as {
    Properties: { ExplicitAuthFlows: string[] };
  }[];
  expect(clients).toHaveLength(1);
  return [...(clients[0]?.Properties.ExplicitAuthFlows ?? [])].sort();
};

describe("auth stack: the app client's sign-in flows", () => {
  it("takes the password itself (USER_PASSWORD_AUTH) only on local, for its scripts and CI; dev and prod take SRP proofs", () => {
    expect(authFlowsOf("dev")).toEqual(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
    expect(authFlowsOf("prod")).toEqual(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
    // The control: the local client does allow it, so the check above can fail.
    expect(authFlowsOf("local")).toEqual(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]);
  });
});
