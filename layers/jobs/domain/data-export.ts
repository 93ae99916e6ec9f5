import { JobSummary } from "#kernel/bus/job-events";
import * as z from "zod";
import { distinct } from "#shared/distinct";

/**
 * The tables a `data-export` job can export, by the name the job is asked for: the swarm's
 * durable state (tasks and their counters, agents, detections and the feed items they came
 * from, locks, coordination events and insights, optimizations, files, jobs). Left out on
 * purpose: WebSocket connections (gone with their sockets), approval tokens (secrets), and the
 * model registry's table, whose stack is built on this one (its artifacts are versioned in S3,
 * and every table has point-in-time recovery). The jobs stack maps each name to its table.
 */
export const EXPORT_TABLES = [
  "tasks",
  "task-stats",
  "agents",
  "detections",
  "feed-items",
  "locks",
  "coordination-events",
  "insights",
  "optimizations",
  "files",
  "jobs",
] as const;
export const ExportTable = z.enum(EXPORT_TABLES);
export type ExportTable = z.infer<typeof ExportTable>;

/** What `data-export` is asked: which tables (all by default). */
export const DataExportParameters = z
  .object({
    tables: z
      .array(ExportTable)
      .min(1)
      .refine((tables) => distinct(tables), "names a table twice")
      .default([...EXPORT_TABLES]),
  })
  .strict();
export type DataExportParameters = z.infer<typeof DataExportParameters>;

/** Where a data-export writes in the artifacts bucket: one folder per job. */
export const DATA_EXPORT_PREFIX = "data-export/";
export const exportPartKey = (jobId: string, table: ExportTable, part: number) =>
  `${DATA_EXPORT_PREFIX}${jobId}/${table}/part-${String(part).padStart(5, "0")}.jsonl`;
export const exportManifestKey = (jobId: string) => `${DATA_EXPORT_PREFIX}${jobId}/manifest.json`;

/** One attribute in DynamoDB JSON as an export line holds it: binaries in base64, as DynamoDB's own export writes them. */
export type ExportedValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: ExportedValue[] }
  | { M: { [name: string]: ExportedValue } };
export const ExportedValue: z.ZodType<ExportedValue> = z.lazy(() =>
  z.union([
    z.object({ S: z.string() }).strict(),
    z.object({ N: z.string() }).strict(),
    z.object({ B: z.base64() }).strict(),
    z.object({ BOOL: z.boolean() }).strict(),
    z.object({ NULL: z.literal(true) }).strict(),
    z.object({ SS: z.array(z.string()) }).strict(),
    z.object({ NS: z.array(z.string()) }).strict(),
    z.object({ BS: z.array(z.base64()) }).strict(),
    z.object({ L: z.array(ExportedValue) }).strict(),
    z.object({ M: z.record(z.string(), ExportedValue) }).strict(),
  ]),
);
/** One line of a part: `{"Item": <the item in DynamoDB JSON>}`. */
export const ExportLine = z.object({ Item: z.record(z.string(), ExportedValue) }).strict();
export type ExportLine = z.infer<typeof ExportLine>;

/** Items per part: a part is held in memory before it is written. */
export const ITEMS_PER_PART = 5_000;

const Location = z.object({ bucket: z.string(), key: z.string(), versionId: z.string().optional() });

export const ExportedPart = Location.extend({
  items: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const ExportedTable = z.object({
  table: ExportTable,
  /** The table's physical name when it was exported. */
  tableName: z.string().min(1),
  items: z.number().int().min(0),
  bytes: z.number().int().min(0),
  parts: z.array(ExportedPart),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
});
export type ExportedTable = z.infer<typeof ExportedTable>;

/**
 * The export's manifest (written last, so a manifest means a complete export): every part of
 * every table with its item count and SHA-256. Each part is JSON Lines of `{"Item": <item in
 * DynamoDB JSON>}`, the format DynamoDB's own export writes and its `ImportTable` reads.
 */
export const ExportManifest = z.object({
  jobId: z.string().min(1),
  format: z.literal("DYNAMODB_JSON"),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  tables: z.array(ExportedTable),
});
export type ExportManifest = z.infer<typeof ExportManifest>;

/** The `data-export` job's result: where the manifest is, and each table's counts (not its parts). */
export const DataExportResult = JobSummary.extend({
  manifest: Location,
  /** A scan reads each table as it is while it reads; the export's point in time is a span. */
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  tables: z.array(ExportedTable.omit({ parts: true }).extend({ parts: z.number().int().min(0) })),
});
export type DataExportResult = z.infer<typeof DataExportResult>;
