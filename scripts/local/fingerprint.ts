import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

/** Everything that changes what `cdk deploy` would put into the emulator. */
const DEPLOY_INPUTS = ["bin", "lib", "functions", "layers", "cdk.json", "package-lock.json", "scripts/local/emulator-compat.ts"];

function files(entry: string): string[] {
  const full = path.join(REPO_ROOT, entry);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [entry];
  return readdirSync(full)
    .sort()
    .flatMap((name) => (name === "node_modules" ? [] : files(path.join(entry, name))));
}

/** A hash of the deploy inputs and the TGE_* configuration; equal hashes deploy the same thing. */
export function deployFingerprint(env: Record<string, string | undefined> = process.env): string {
  const hash = createHash("sha256");
  for (const file of DEPLOY_INPUTS.flatMap(files)) {
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(path.join(REPO_ROOT, file)))
      .update("\0");
  }
  for (const name of Object.keys(env)
    .filter((key) => key.startsWith("TGE_"))
    .sort()) {
    hash.update(`${name}=${env[name]}\0`);
  }
  return hash.digest("hex");
}
