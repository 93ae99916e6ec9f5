import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import {
  DataExportResult,
  EXPORT_TABLES,
  type ExportTable,
  type ExportedValue,
  ExportLine,
  ExportManifest,
} from "#jobs/domain/data-export";
import { fromExportedItem, toExportedItem } from "#jobs/adapters/dynamodb-json";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { SubmitJobRequest } from "#jobs/domain/job";
import { analyzeMetrics, MetricsAnalysisResult, type TypeObservation } from "#jobs/domain/metrics-analysis";
import { ProgressReporter } from "#jobs/domain/progress";
import { dataExportRunner } from "#jobs/domain/run-data-export";
import { fileValidationRunner } from "#jobs/domain/run-file-validation";
import { metricsAnalysisRunner } from "#jobs/domain/run-metrics-analysis";
import type { ArtifactLocation } from "#jobs/domain/ports";

const clock = { now: () => new Date("2026-12-02T12:30:20Z") };
const context = () => ({
  progress: new ProgressReporter("job-1", async () => true, clock, 0),
  clock,
  sleep: async () => undefined,
});
const quiet = (agentType: TypeObservation["agentType"]): TypeObservation => ({
  agentType,
  finished: 0,
  unsuccessful: 0,
  timedOut: 0,
  queued: 0,
  running: 0,
  avgQueueMs: undefined,
  avgExecutionMs: undefined,
});
const window = { from: new Date("2026-12-02T11:31:00Z"), to: new Date("2026-12-02T12:30:00Z"), minutes: 60 };

describe("job submission", () => {
  it("accepts every job type, each with its own parameters, and names the known ones for an unknown type", () => {
    expect(SubmitJobRequest.parse({ type: "metrics-analysis" }).parameters).toEqual({ windowMinutes: 60 });
    expect(SubmitJobRequest.parse({ type: "data-export" }).parameters).toEqual({ tables: [...EXPORT_TABLES] });
    expect(
      SubmitJobRequest.safeParse({ type: "file-validation", parameters: { fileIds: ["a"], fileType: "dataset" } }).success,
    ).toBe(false);
    expect(SubmitJobRequest.safeParse({ type: "metrics-analysis", parameters: { windowMinutes: 121 } }).success).toBe(false);
    const unknown = SubmitJobRequest.safeParse({ type: "backup" });
    expect(unknown.error?.issues[0]?.message).toBe(
      "must be one of scorer-training, metrics-analysis, data-export, file-validation",
    );
  });
});

describe("metrics analysis", () => {
  it("says a quiet swarm is idle", () => {
    const report = analyzeMetrics(AGENT_TYPES.map(quiet), window);
    expect(report.recommendations.map((r) => r.code)).toEqual(["idle"]);
    expect(report.totals.failureRate).toBeNull();
  });

  it("flags a stalled type, a high failure rate and a backlog, each on its own type", () => {
    const [a, b, c] = AGENT_TYPES;
    const observations = AGENT_TYPES.map(quiet).map((o) => {
      if (o.agentType === a) return { ...o, queued: 40 };
      if (o.agentType === b) return { ...o, finished: 50, unsuccessful: 15 };
      if (o.agentType === c) return { ...o, finished: 60, queued: 600 };
      return o;
    });
    const report = MetricsAnalysisResult.parse(analyzeMetrics(observations, window));
    const codes = report.recommendations.map((r) => `${r.code}:${r.agentType}`);
    expect(codes).toEqual([`stalled:${a}`, `failure-rate:${b}`, `backlog:${c}`]);
    expect(report.recommendations.find((r) => r.code === "failure-rate")?.severity).toBe("critical");
    expect(report.totals).toMatchObject({ finished: 110, unsuccessful: 15, queued: 640 });
    expect(report.byAgentType.find((r) => r.agentType === c)?.backlogMinutes).toBe(600);
  });

  it("control: the same failures under the minimum count are not flagged", () => {
    const observations = AGENT_TYPES.map(quiet).map((o, i) => (i === 0 ? { ...o, finished: 5, unsuccessful: 4 } : o));
    expect(analyzeMetrics(observations, window).recommendations.map((r) => r.code)).toEqual(["healthy"]);
  });

  it("reads the window through the minute the job runs in", async () => {
    const asked: { from: string; to: string }[] = [];
    const figures = {
      byType: async () =>
        Object.fromEntries(
          AGENT_TYPES.map((t) => [t, { queued: 0, running: 0, avgQueueMs: undefined, avgExecutionMs: undefined }]),
        ) as never,
      outcomes: async (_t: string, from: Date, to: Date) => {
        asked.push({ from: from.toISOString(), to: to.toISOString() });
        return { finished: 6, unsuccessful: 0, timedOut: 0 };
      },
    };
    const report = MetricsAnalysisResult.parse(await metricsAnalysisRunner(figures)("job-1", { windowMinutes: 10 }, context()));
    expect(asked[0]).toEqual({ from: "2026-12-02T12:21:20.000Z", to: "2026-12-02T12:30:20.000Z" });
    expect(report.totals.throughputPerMinute).toBe((6 * AGENT_TYPES.length) / 10);
  });
});

describe("data export", () => {
  const tables = Object.fromEntries(EXPORT_TABLES.map((t) => [t, `physical-${t}`])) as Record<ExportTable, string>;
  const store = () => {
    const objects = new Map<string, string>();
    const put = async (key: string, body: string): Promise<ArtifactLocation> => (objects.set(key, body), { bucket: "b", key });
    return { objects, artifacts: { putText: put, putJson: (key: string, doc: unknown) => put(key, JSON.stringify(doc)) } };
  };
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: { S: `item-${i}` } }));

  it("writes binaries as base64 and reads every attribute type back as the SDK holds it (JSON.stringify alone would not: the control)", () => {
    const item: Record<string, AttributeValue> = {
      pk: { S: "k" },
      n: { N: "1.5" },
      blob: { B: new Uint8Array([0, 1, 254]) },
      blobs: { BS: [new Uint8Array([7])] },
      flags: { L: [{ BOOL: true }, { NULL: true }] },
      nested: { M: { tags: { SS: ["a"] }, sizes: { NS: ["1"] } } },
    };
    const line = JSON.stringify({ Item: toExportedItem(item) });
    const back = fromExportedItem(ExportLine.parse(JSON.parse(line)).Item);
    expect(back).toEqual({ ...item, blob: { B: Buffer.from([0, 1, 254]) }, blobs: { BS: [Buffer.from([7])] } });
    // The control: the SDK's Uint8Array through JSON.stringify is an object of indexes, no export line at all.
    expect(ExportLine.safeParse(JSON.parse(JSON.stringify({ Item: item }))).success).toBe(false);
  });

  it("writes every item once, in bounded parts whose checksums the manifest records, and the manifest last", async () => {
    const { objects, artifacts } = store();
    const pages: Record<string, Record<string, ExportedValue>[][]> = {
      "physical-tasks": [items(4), items(3)],
      "physical-jobs": [[]],
    };
    const scanner = {
      async *pages(name: string) {
        for (const page of pages[name] ?? []) yield page;
      },
    };
    const runner = dataExportRunner({ tables, scanner, artifacts, itemsPerPart: 3 });
    const result = DataExportResult.parse(await runner("job-1", { tables: ["tasks", "jobs"] }, context()));
    expect(result.tables.map((t) => [t.table, t.items, t.parts])).toEqual([
      ["tasks", 7, 3],
      ["jobs", 0, 1],
    ]);
    expect([...objects.keys()].at(-1)).toBe("data-export/job-1/manifest.json");
    const manifest = ExportManifest.parse(JSON.parse(objects.get("data-export/job-1/manifest.json") ?? ""));
    for (const part of manifest.tables.flatMap((t) => t.parts)) {
      const body = objects.get(part.key) ?? "";
      expect(createHash("sha256").update(body).digest("hex")).toBe(part.sha256);
      expect(body.split("\n").filter(Boolean)).toHaveLength(part.items);
    }
    const lines = (manifest.tables[0]?.parts ?? []).flatMap((p) => (objects.get(p.key) ?? "").split("\n").filter(Boolean));
    expect(lines.map((l) => ExportLine.parse(JSON.parse(l)).Item.pk)).toEqual([
      ...items(4).map((i) => i.pk),
      ...items(3).map((i) => i.pk),
    ]);
  });

  it("refuses a table outside the catalog, and one named twice", async () => {
    const runner = dataExportRunner({ tables, scanner: { async *pages() {} }, artifacts: store().artifacts });
    await expect(runner("job-1", { tables: ["connections"] }, context())).rejects.toThrow();
    await expect(runner("job-1", { tables: ["jobs", "jobs"] }, context())).rejects.toThrow(/twice/);
  });
});

describe("file validation", () => {
  it("judges the newest files of a type page by page up to the limit, and counts the outcomes", async () => {
    const judged: string[] = [];
    const ids = Array.from({ length: 150 }, (_, i) => `f${i}`);
    const files = {
      revalidate: async (fileId: string) => {
        judged.push(fileId);
        return fileId === "f1"
          ? {
              fileId,
              outcome: "invalid" as const,
              reasons: Array.from({ length: 5 }, (_, i) => ({ path: `items.${i}`, message: "bad" })),
            }
          : { fileId, outcome: "valid" as const, reasons: [] };
      },
      page: async ({ limit, cursor }: { limit: number; cursor?: string }) => {
        const start = Number(cursor ?? 0);
        const next = start + limit;
        return { fileIds: ids.slice(start, next), ...(next < ids.length ? { nextCursor: String(next) } : {}) };
      },
    };
    const result = await fileValidationRunner(files)("job-1", { fileType: "dataset", limit: 120 }, context());
    expect(judged).toEqual(ids.slice(0, 120));
    expect(result).toMatchObject({ checked: 120, counts: { valid: 119, invalid: 1, pending: 0, "not-uploaded": 0, unknown: 0 } });
    const listed = (result as { files: { fileId: string; reasons: unknown[]; reasonCount: number }[] }).files;
    expect(listed).toHaveLength(100);
    expect(listed[1]).toMatchObject({ fileId: "f1", reasonCount: 5 });
    expect(listed[1]?.reasons).toHaveLength(3);
  });
});
