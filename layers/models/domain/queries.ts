import { ModelVersionNotFoundError } from "./errors";
import type { ModelExport, ModelVersion, ModelVersionsQuery } from "./model-version";
import type { RegistryDeps, VersionRef } from "./ports";

/** How long an export link works: long enough to start a download, short enough that a leaked one soon is worthless. */
export const EXPORT_URL_SECONDS = 300;

/** One version, or 404. */
export async function versionOf(ref: VersionRef, deps: Pick<RegistryDeps, "store">): Promise<ModelVersion> {
  const version = await deps.store.get(ref);
  if (!version) throw new ModelVersionNotFoundError(ref.name, ref.version);
  return version;
}

/** A page of a model's versions, newest first; 404 for a model that has none. */
export async function versionsOf(name: string, query: ModelVersionsQuery, deps: Pick<RegistryDeps, "store">) {
  if (!(await deps.store.summary(name))) throw new ModelVersionNotFoundError(name);
  return deps.store.listVersions(name, query);
}

/**
 * A presigned GET of the version's artifact, pinned to its S3 version (a later write under the
 * same key cannot change what the link serves), with the digest to check the download against.
 */
export async function exportOf(ref: VersionRef, deps: RegistryDeps): Promise<ModelExport> {
  const version = await versionOf(ref, deps);
  const url = await deps.artifacts.exportUrl(version.artifact.key, version.artifact.versionId, EXPORT_URL_SECONDS);
  return {
    name: version.name,
    version: version.version,
    url,
    expiresAt: new Date(deps.clock.now().getTime() + EXPORT_URL_SECONDS * 1_000).toISOString(),
    sha256: version.artifact.sha256,
    bytes: version.artifact.bytes,
  };
}
