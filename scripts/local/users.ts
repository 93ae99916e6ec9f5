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

/** A user with a permanent password in one group: created if missing, password and group set either way. */
export async function ensureUser(
  outputs: LocalOutputs,
  user: { readonly username: string; readonly password: string; readonly group: Role },
): Promise<void> {
  const client = cognito(outputs);
  try {
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: outputs.UserPoolId,
          Username: user.username,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: `${user.username}@tge-swarm.local` },
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
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: outputs.UserPoolId, Username: user.username, GroupName: user.group }),
    );
  } finally {
    client.destroy();
  }
}

/** Creates the seeded users if they are missing; safe to run on every start. */
export async function seedLocalUsers(outputs: LocalOutputs): Promise<void> {
  for (const role of Role.options) await ensureUser(outputs, { ...LOCAL_USERS[role], group: role });
}

/** A token for any local user, by username and password: its access token, or its ID token. */
export async function tokenOf(
  outputs: LocalOutputs,
  user: { readonly username: string; readonly password: string },
  use: "access" | "id" = "access",
): Promise<string> {
  const client = cognito(outputs);
  try {
    const response = await client.send(
      new InitiateAuthCommand({
        ClientId: outputs.UserPoolClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    const token = use === "access" ? response.AuthenticationResult?.AccessToken : response.AuthenticationResult?.IdToken;
    if (!token) throw new Error(`Cognito returned no ${use} token for ${user.username}`);
    return token;
  } finally {
    client.destroy();
  }
}

/**
 * A token for a seeded user: its access token, as the dashboard and the API expect it, or its
 * ID token (which the API refuses; the e2e tests prove it).
 */
export const localToken = (outputs: LocalOutputs, role: Role, use: "access" | "id" = "access"): Promise<string> =>
  tokenOf(outputs, LOCAL_USERS[role], use);
