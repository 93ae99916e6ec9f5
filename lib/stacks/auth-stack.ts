import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import type { Construct } from "constructs";
import { Role } from "#shared/identity";
import type { SwarmStackProps } from "./swarm-stack-props";

/**
 * Who may use the swarm: a Cognito user pool with the groups `admin`, `operator` and
 * `viewer`, and the app client the dashboard and CLI sign in with. No self sign-up.
 */
export class AuthStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: SwarmStackProps) {
    super(scope, id, props);
    const { config } = props;
    const production = config.stage === "prod";

    this.userPool = new cognito.UserPool(this, "Users", {
      userPoolName: `tge-swarm-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: production ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: config.retainData,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const role of Role.options) {
      new cognito.CfnUserPoolGroup(this, `${role}-group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `TGE Swarm ${role}s`,
      });
    }

    this.userPoolClient = this.userPool.addClient("WebClient", {
      userPoolClientName: "tge-swarm-web",
      generateSecret: false,
      // The page signs in with SRP, so the password never leaves it; only local scripts and CI send it (USER_PASSWORD_AUTH).
      authFlows: { userSrp: true, userPassword: config.stage === "local" },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      preventUserExistenceErrors: true,
    });

    new CfnOutput(this, "UserPoolId", { value: this.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.userPoolClient.userPoolClientId });

    const plusPlan =
      "Threat protection needs Cognito's paid Plus feature plan; an account that wants it turns it on per pool. Users are created by admins only (no self sign-up).";
    Validations.of(this.userPool).acknowledge(
      { id: "AwsSolutions-COG3", reason: plusPlan },
      { id: "AwsSolutions-COG8", reason: plusPlan },
    );
    if (!production) {
      Validations.of(this.userPool).acknowledge({
        id: "AwsSolutions-COG2",
        reason:
          "MFA is required in prod; local and dev pools hold seeded test users whose tokens scripts and CI fetch non-interactively.",
      });
    }
  }
}
