// npm run token -- --user <admin|operator|viewer>
// Prints an access token for a seeded local user, for `Authorization: Bearer …` and `?token=`.
import { parseArgs } from "node:util";
import { Role } from "#shared/identity";
import { readLocalOutputs } from "./local/outputs";
import { localToken } from "./local/users";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const { values } = parseArgs({ options: { user: { type: "string", default: "admin" } } });
const role = Role.safeParse(values.user);
if (!role.success) {
  console.error(`--user must be one of ${Role.options.join(", ")} (got ${JSON.stringify(values.user)})`);
  process.exit(2);
}
try {
  console.log(await localToken(readLocalOutputs(), role.data));
} catch (error) {
  console.error(`Could not get a token: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Is `npm start` running?");
  process.exit(1);
}
