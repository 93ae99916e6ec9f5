import * as z from "zod";
import { JsonValue } from "#kernel/json";
import { OPTIMIZATION_OUTCOMES } from "#kernel/bus/optimization";
import { NotFoundError } from "#shared/errors";
import { parseDocument } from "./documents";
import type { Optimization, OptimizationMetricsView, OptimizationView, PipelineStep } from "./optimization";
import type { OptimizationStore, SettingsBucket, VersionInfo, VersionLedger } from "./ports";
import { SETTINGS_DOCUMENTS, SETTINGS_NAMES, SettingsName } from "./settings-catalog";

const Origin = z.enum(["seed", "applied", "rolled_back"]);

/** A settings document's current version, as `GET /api/settings` lists it. */
export const SettingsSummary = z.object({
  name: SettingsName,
  description: z.string(),
  consumers: z.array(z.string()),
  /** The S3 version id: what a recommendation's `baseVersion` names. */
  version: z.string(),
  etag: z.string(),
  updatedAt: z.string(),
  origin: Origin,
  changedBy: z.string(),
  recommendationId: z.string().optional(),
});
export type SettingsSummary = z.infer<typeof SettingsSummary>;

export const SettingsList = z.object({ documents: z.array(SettingsSummary) }).meta({ id: "SettingsList" });

/** `GET /api/settings/{name}`: one version of a document, its content included. */
export const SettingsDocumentView = SettingsSummary.extend({ document: JsonValue }).meta({ id: "SettingsDocument" });
export type SettingsDocumentView = z.infer<typeof SettingsDocumentView>;

export const SettingsNameParams = z.object({ name: SettingsName }).strict();
export const SettingsDocumentQuery = z.object({ version: z.string().min(1).max(1_024).optional() }).strict();
export const SettingsVersionsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(25), cursor: z.string().min(1).max(2_048).optional() })
  .strict();

/** One version in a document's history: who made it, through which optimization, under which fencing token. */
export const SettingsVersion = z.object({
  versionId: z.string(),
  createdAt: z.string(),
  origin: Origin,
  changedBy: z.string(),
  recommendationId: z.string().optional(),
  fencingToken: z.number().int().optional(),
  restoredFrom: z.string().optional(),
  previousVersion: z.string().optional(),
});
export const SettingsVersionsPage = z
  .object({ name: SettingsName, items: z.array(SettingsVersion), nextCursor: z.string().optional() })
  .meta({ id: "SettingsVersionsPage" });

/** Raised when a settings document has no current version: the deploy that seeds them did not run. */
export class SettingsNotSeededError extends Error {
  constructor(readonly document: string) {
    super(`settings document ${document} has no version: the deploy seeds every document`);
    this.name = "SettingsNotSeededError";
  }
}

function summaryOf(name: SettingsName, version: VersionInfo): SettingsSummary {
  const spec = SETTINGS_DOCUMENTS[name];
  return {
    name,
    description: spec.description,
    consumers: [...spec.consumers],
    version: version.versionId,
    etag: version.etag,
    updatedAt: version.lastModified,
    origin: version.metadata.origin,
    changedBy: version.metadata.changedBy,
    ...(version.metadata.recommendationId ? { recommendationId: version.metadata.recommendationId } : {}),
  };
}

/** `GET /api/settings`: every document with its current version. */
export async function listSettings(bucket: SettingsBucket): Promise<z.infer<typeof SettingsList>> {
  const documents = await Promise.all(
    SETTINGS_NAMES.map(async (name) => {
      const head = await bucket.head(name);
      if (!head) throw new SettingsNotSeededError(name);
      return summaryOf(name, head);
    }),
  );
  return { documents };
}

/** `GET /api/settings/{name}?version=`: the current version, or the one asked for. */
export async function getSettings(bucket: SettingsBucket, name: SettingsName, versionId?: string): Promise<SettingsDocumentView> {
  const version = await bucket.get(name, versionId);
  if (!version) {
    if (versionId) throw new NotFoundError(`version of ${name}`, versionId);
    throw new SettingsNotSeededError(name);
  }
  const parsed = parseDocument(version.body);
  if (!parsed.ok) throw new Error(`version ${version.versionId} of ${name} is not JSON: ${parsed.message}`);
  return { ...summaryOf(name, version), document: parsed.value as z.infer<typeof JsonValue> };
}

/** `GET /api/settings/{name}/versions`: the document's history, newest first. */
export async function settingsVersions(
  ledger: VersionLedger,
  name: SettingsName,
  limit: number,
  cursor?: string,
): Promise<z.infer<typeof SettingsVersionsPage>> {
  const page = await ledger.history(name, limit, cursor);
  return {
    name,
    items: page.items.map(({ document: _document, ...entry }) => entry),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** `GET /api/optimizations/{id}`: the record with the steps the pipeline recorded. */
export async function optimizationView(store: OptimizationStore, recommendationId: string): Promise<OptimizationView> {
  const [record, steps] = await Promise.all([store.get(recommendationId), store.steps(recommendationId)]);
  if (!record) throw new NotFoundError("recommendation", recommendationId);
  return viewOf(record, steps);
}

/** A record as the API shows it: without the idempotency fingerprint, with its steps. */
export function viewOf(record: Optimization, steps: readonly PipelineStep[]): OptimizationView {
  const { requestFingerprint: _fingerprint, ...view } = record;
  return { ...view, steps: [...steps] };
}

/** `GET /api/optimizations/metrics`: outcomes, and the mean times to decision and to apply. */
export async function optimizationMetrics(store: OptimizationStore): Promise<OptimizationMetricsView> {
  const counters = await store.counters();
  const mean = (sum: string, count: string) =>
    (counters[count] ?? 0) > 0 ? Math.round((counters[sum] ?? 0) / (counters[count] ?? 1)) : null;
  return {
    byOutcome: Object.fromEntries(
      OPTIMIZATION_OUTCOMES.map((o) => [o, counters[`outcome_${o}`] ?? 0]),
    ) as OptimizationMetricsView["byOutcome"],
    decided: counters.decided ?? 0,
    averageTimeToDecisionMs: mean("decisionTimeSumMs", "decided"),
    averageTimeToApplyMs: mean("applyTimeSumMs", "appliedTimed"),
  };
}
