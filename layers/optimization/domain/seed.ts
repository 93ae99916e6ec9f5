import type { Clock } from "#shared/clock";
import { documentBytes, schemaProblems } from "./documents";
import type { SettingsBucket, VersionLedger } from "./ports";
import { SETTINGS_NAMES, type SettingsName } from "./settings-catalog";

/** What seeding did to one document. */
export type SeedResult = "created" | "updated" | "unchanged" | "kept-tuned";

/** Raised when a deploy's default for a document fails its own schema: the deploy must not go on. */
export class InvalidDefaultError extends Error {
  constructor(
    readonly document: SettingsName,
    readonly problems: readonly string[],
  ) {
    super(`the default ${document} is invalid: ${problems.join("; ")}`);
    this.name = "InvalidDefaultError";
  }
}

/**
 * Puts each document's deployed default into the bucket: as its first version when it has none;
 * as a new version when the default changed and nothing but deploys ever wrote the document;
 * never over a version an optimization wrote (or rolled back to) — once tuned, a document
 * changes only through the pipeline.
 *
 * @example
 * await seedSettings(defaultsFromConfig, { bucket, ledger, clock });
 */
export async function seedSettings(
  defaults: Readonly<Record<SettingsName, unknown>>,
  deps: { readonly bucket: SettingsBucket; readonly ledger: VersionLedger; readonly clock: Clock },
): Promise<Record<SettingsName, SeedResult>> {
  for (const name of SETTINGS_NAMES) {
    const problems = schemaProblems(name, defaults[name]);
    if (problems.length > 0) throw new InvalidDefaultError(name, problems);
  }
  const results = {} as Record<SettingsName, SeedResult>;
  for (const name of SETTINGS_NAMES) {
    const body = documentBytes(defaults[name]);
    const current = await deps.bucket.get(name);
    if (current && current.metadata.origin !== "seed") {
      results[name] = "kept-tuned";
      continue;
    }
    if (current && Buffer.compare(Buffer.from(current.body), Buffer.from(body)) === 0) {
      results[name] = "unchanged";
      continue;
    }
    const written = await deps.bucket.put(name, body, current ? { ifMatch: current.etag } : { ifAbsent: true }, {
      origin: "seed",
      changedBy: "deploy",
    });
    if (!written) throw new Error(`${name} changed while the deploy was seeding it; deploy again`);
    await deps.ledger.record({
      document: name,
      versionId: written.versionId,
      createdAt: deps.clock.now().toISOString(),
      origin: "seed",
      changedBy: "deploy",
      ...(current ? { previousVersion: current.versionId } : {}),
    });
    results[name] = current ? "updated" : "created";
  }
  return results;
}
