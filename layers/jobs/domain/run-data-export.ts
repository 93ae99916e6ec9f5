import { createHash } from "node:crypto";
import {
  DataExportParameters,
  type DataExportResult,
  type ExportedTable,
  type ExportedValue,
  type ExportLine,
  type ExportManifest,
  type ExportTable,
  exportManifestKey,
  exportPartKey,
  ITEMS_PER_PART,
} from "./data-export";
import type { ArtifactStore } from "./ports";
import type { JobRunner } from "./run-job";

/** Reads a table whole, a page at a time, each item in DynamoDB JSON (attribute-value maps, as exported). */
export interface TableScanner {
  pages(tableName: string): AsyncIterable<readonly Record<string, ExportedValue>[]>;
}

export interface DataExportDeps {
  /** Each exportable table's physical name. */
  readonly tables: Readonly<Record<ExportTable, string>>;
  readonly scanner: TableScanner;
  readonly artifacts: ArtifactStore;
  /** @default ITEMS_PER_PART */
  readonly itemsPerPart?: number;
}

/**
 * `data-export`: each asked table scanned whole into JSON Lines parts of at most
 * `itemsPerPart` items (so memory stays bounded whatever a table holds), each part's SHA-256
 * recorded, and a manifest written last, so a manifest means every part it names is there.
 * Progress moves per part; the job can be cancelled between parts.
 */
export const dataExportRunner =
  (deps: DataExportDeps): JobRunner =>
  async (jobId, raw, { progress, clock }): Promise<DataExportResult> => {
    const { tables } = DataExportParameters.parse(raw);
    const perPart = deps.itemsPerPart ?? ITEMS_PER_PART;
    const startedAt = clock.now().toISOString();
    await progress.report(0, "exporting", { force: true, message: tables.join(", ") });
    const exported: ExportedTable[] = [];
    for (const [index, table] of tables.entries()) {
      const tableName = deps.tables[table];
      const tableStartedAt = clock.now().toISOString();
      const parts: ExportedTable["parts"] = [];
      let lines: string[] = [];
      const flush = async () => {
        const body = lines.length === 0 ? "" : `${lines.join("\n")}\n`;
        const location = await deps.artifacts.putText(exportPartKey(jobId, table, parts.length), body, "application/x-ndjson");
        parts.push({
          ...location,
          items: lines.length,
          bytes: Buffer.byteLength(body),
          sha256: createHash("sha256").update(body).digest("hex"),
        });
        lines = [];
      };
      let items = 0;
      for await (const page of deps.scanner.pages(tableName)) {
        for (const item of page) {
          lines.push(JSON.stringify({ Item: item } satisfies ExportLine));
          items++;
          if (lines.length >= perPart) await flush();
        }
        await progress.report((95 * index) / tables.length, `exporting ${table}`, { message: `${items} items so far` });
      }
      // An empty table still gets its one (empty) part, so a restore sees it was exported.
      if (lines.length > 0 || parts.length === 0) await flush();
      exported.push({
        table,
        tableName,
        items,
        bytes: parts.reduce((n, p) => n + p.bytes, 0),
        parts,
        startedAt: tableStartedAt,
        finishedAt: clock.now().toISOString(),
      });
      await progress.report((95 * (index + 1)) / tables.length, `exported ${table}`, { force: true, message: `${items} items` });
    }
    const finishedAt = clock.now().toISOString();
    const manifest: ExportManifest = { jobId, format: "DYNAMODB_JSON", startedAt, finishedAt, tables: exported };
    const location = await deps.artifacts.putJson(exportManifestKey(jobId), manifest);
    const total = exported.reduce((n, t) => n + t.items, 0);
    const summary = `${total} items from ${exported.length} table${exported.length === 1 ? "" : "s"}`;
    await progress.report(100, "done", { force: true, message: summary });
    return {
      summary,
      manifest: location,
      startedAt,
      finishedAt,
      tables: exported.map(({ parts, ...rest }) => ({ ...rest, parts: parts.length })),
    };
  };
