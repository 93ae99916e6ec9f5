import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import { Role } from "#shared/identity";
import type { LocalOutputs } from "./outputs";

/**
 * One seeded user per group, for the local stage only: the emulator lives on this machine and
 * is wiped with `.local/`, so a fixed password is a convenience, not a secret.
 */
export const LOCAL_USERS: Readonly<Record<Role, { username: string; password: string }>> = {
  admin: { username: "admin", password: "Local-Admin-Passw0rd!" },
  operator: { username: "operator", password: "Local-Operator-Passw0rd!" },
  viewer: { username: "viewer", password: "Local-Viewer-Passw0rd!" },
};

const cognito = (outputs: LocalOutputs) =>
  new CognitoIdentityProviderClient({
    endpoint: outputs.endpoint,
    region: outputs.region,
    requestHandler: { requestTimeout: 5_000 },
  });

/** Creates the seeded users if they are missing; safe to run on every start. */
export async function seedLocalUsers(outputs: LocalOutputs): Promise<void> {
  const client = cognito(outputs);
  try {
    for (const role of Role.options) {
      const { username, password } = LOCAL_USERS[role];
      try {
        await client.send(
          new AdminCreateUserCommand({
            UserPoolId: outputs.UserPoolId,
            Username: username,
            MessageAction: "SUPPRESS",
            UserAttributes: [
              { Name: "email", Value: `${username}@tge-swarm.local` },
              { Name: "email_verified", Value: "true" },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof UsernameExistsException)) throw error;
      }
      await client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: outputs.UserPoolId,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      );
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: outputs.UserPoolId, Username: username, GroupName: role }));
    }
  } finally {
    client.destroy();
  }
}

/**
 * A token for a seeded user: its access token, as the dashboard and the API expect it, or its
 * ID token (which the API refuses; the e2e tests prove it).
 */
export async function localToken(outputs: LocalOutputs, role: Role, use: "access" | "id" = "access"): Promise<string> {
  const client = cognito(outputs);
  try {
    const { username, password } = LOCAL_USERS[role];
    const response = await client.send(
      new InitiateAuthCommand({
        ClientId: outputs.UserPoolClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const token = use === "access" ? response.AuthenticationResult?.AccessToken : response.AuthenticationResult?.IdToken;
    if (!token) throw new Error(`Cognito returned no ${use} token for ${username}`);
    return token;
  } finally {
    client.destroy();
  }
}
