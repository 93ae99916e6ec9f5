import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { FileNotUploadedError, FileQuarantinedError } from "#files/domain/errors";
import { UploadRequest, type FileRecord } from "#files/domain/files";
import { VALIDATION_TAG } from "#files/domain/layout";
import { downloadLink, requestUploads, revalidate, validateFile, type ValidateDeps } from "#files/domain/uploads";
import { MALWARE_SCAN_TAG } from "#files/domain/validation";
import type { Caller } from "#shared/identity";
import { NotFoundError, RequestValidationError } from "#shared/errors";
import { InMemoryFileObjects, InMemoryFileStore } from "../../support/files";

const operator: Caller = { sub: "sub-op", username: "operator", roles: ["operator"] };
const clock = { now: () => new Date("2026-12-02T06:00:00Z") };
const limits = { maxBytes: 1_000_000, expirySeconds: 300 };

/** A labelled dataset in the fixtures' format: the shipped feed with its labels. */
const dataset = JSON.stringify({
  feed: JSON.parse(readFileSync("fixtures/feeds/tge-news.json", "utf8")),
  labels: JSON.parse(readFileSync("fixtures/feeds/tge-news.labels.json", "utf8")),
});
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe("requesting uploads", () => {
  let store: InMemoryFileStore;
  let objects: InMemoryFileObjects;
  let ids: number;
  beforeEach(() => {
    store = new InMemoryFileStore();
    objects = new InMemoryFileObjects();
    ids = 0;
  });
  const deps = () => ({ store, objects, clock, newId: () => `file-${++ids}`, limits });
  const spec = (overrides: Record<string, unknown> = {}) => ({
    name: "news.json",
    size: 100,
    contentType: "application/json",
    fileType: "dataset",
    ...overrides,
  });

  it("stores a pending record per file and signs a form per file with the limit, the type and the key", async () => {
    // GIVEN two files
    const request = UploadRequest.parse({
      files: [spec({ tags: ["q1"], metadata: { source: "wire" } }), spec({ name: "b.json" })],
    });
    // WHEN uploads are requested
    const answers = await requestUploads(request, operator, deps());
    // THEN each is pending, keyed by type and id, and its form pins exactly what was declared
    expect(answers.map((a) => [a.record.status, a.record.key, a.record.uploadedBy])).toEqual([
      ["pending", "files/dataset/file-1", "operator"],
      ["pending", "files/dataset/file-2", "operator"],
    ]);
    expect(answers[0]?.record.metadata).toEqual({ source: "wire" });
    expect(objects.presigned).toEqual([
      { key: "files/dataset/file-1", contentType: "application/json", maxBytes: 1_000_000, expirySeconds: 300 },
      { key: "files/dataset/file-2", contentType: "application/json", maxBytes: 1_000_000, expirySeconds: 300 },
    ]);
    expect(answers[0]?.upload.expiresAt).toBe("2026-12-02T06:05:00.000Z");
    expect((await store.statistics()).byType.dataset.byStatus.pending).toBe(2);
  });

  it("refuses a file over the stage's limit, naming it, and stores nothing", async () => {
    const request = UploadRequest.parse({ files: [spec(), spec({ size: 1_000_001 })] });
    const refused = requestUploads(request, operator, deps());
    await expect(refused).rejects.toBeInstanceOf(RequestValidationError);
    await expect(refused).rejects.toMatchObject({ fields: [{ field: "files.1.size" }] });
    expect(store.records.size).toBe(0);
    // The control: at the limit itself it is accepted.
    await requestUploads(UploadRequest.parse({ files: [spec({ size: 1_000_000 })] }), operator, deps());
    expect(store.records.size).toBe(1);
  });

  it("names every bad field of a bad request at once: 11 files, an unknown type, a disallowed content type", () => {
    const files = [
      spec({ fileType: "spreadsheet" }),
      spec({ contentType: "text/csv" }),
      spec({ fileType: "agent-config" }),
      ...Array.from({ length: 8 }, () => spec()),
    ];
    const result = UploadRequest.safeParse({ files });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")).sort();
    expect(paths).toEqual(["files", "files.0.fileType", "files.1.contentType", "files.2.settingsDocument"]);
    // The control: ten good files parse.
    expect(UploadRequest.safeParse({ files: Array.from({ length: 10 }, () => spec()) }).success).toBe(true);
  });

  it("names a missing or mistyped files list instead of throwing on it (the fuzzer's 500)", () => {
    for (const body of [{}, { files: null }, { files: "x" }, { "m&Ao": null }]) {
      const result = UploadRequest.safeParse(body);
      expect(result.success, JSON.stringify(body)).toBe(false);
      expect(
        result.error?.issues.map((issue) => issue.path.join(".")),
        JSON.stringify(body),
      ).toContain("files");
    }
  });
});

describe("validating an upload", () => {
  let store: InMemoryFileStore;
  let objects: InMemoryFileObjects;
  let deps: ValidateDeps;
  beforeEach(() => {
    store = new InMemoryFileStore();
    objects = new InMemoryFileObjects();
    deps = { store, objects, clock, malwareScan: "none" };
  });

  async function pending(overrides: Partial<FileRecord> = {}): Promise<FileRecord> {
    const record: FileRecord = {
      fileId: "f1",
      name: "news.json",
      size: bytes(dataset),
      contentType: "application/json",
      fileType: "dataset",
      tags: [],
      metadata: {},
      status: "pending",
      reasons: [],
      uploadedBy: "operator",
      createdAt: "2026-12-02T05:59:00.000Z",
      key: "files/dataset/f1",
      revision: 0,
      ...overrides,
    };
    await store.create([record]);
    return record;
  }

  it("marks a labelled dataset valid, tags the version it judged, and counts its bytes", async () => {
    await pending();
    const versionId = objects.put("files/dataset/f1", dataset, "application/json");
    const run = await validateFile("f1", deps);
    expect(run.outcome).toBe("settled");
    const record = await store.get("f1");
    expect(record).toMatchObject({ status: "valid", reasons: [], object: { versionId, size: bytes(dataset) }, revision: 1 });
    expect(record?.object?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(objects.current("files/dataset/f1")?.tags[VALIDATION_TAG]).toBe("valid");
    const stats = await store.statistics();
    expect(stats.byType.dataset).toMatchObject({ count: 1, bytes: bytes(dataset), byStatus: { valid: 1, pending: 0 } });
  });

  it("marks an item without a label invalid, naming the item's path", async () => {
    const unlabelled = JSON.parse(dataset) as { feed: { items: { id: string }[] }; labels: Record<string, unknown> };
    const second = unlabelled.feed.items[1]?.id as string;
    unlabelled.labels = Object.fromEntries(Object.entries(unlabelled.labels).filter(([id]) => id !== second));
    const body = JSON.stringify(unlabelled);
    await pending({ size: bytes(body) });
    objects.put("files/dataset/f1", body, "application/json");
    await validateFile("f1", deps);
    const record = await store.get("f1");
    expect(record?.status).toBe("invalid");
    expect(record?.reasons).toEqual([{ path: "feed.items.1.id", message: `item ${second} has no label` }]);
  });

  it("marks an upload whose size or content type differs from the declared one invalid", async () => {
    await pending({ size: 10 });
    objects.put("files/dataset/f1", dataset, "application/feed+json");
    await validateFile("f1", deps);
    expect((await store.get("f1"))?.reasons.map((r) => r.path)).toEqual(["size", "contentType"]);
  });

  it("marks text that is not JSON invalid", async () => {
    await pending({ size: 5 });
    objects.put("files/dataset/f1", "nope!", "application/json");
    await validateFile("f1", deps);
    expect((await store.get("f1"))?.reasons).toEqual([{ path: "", message: expect.stringContaining("is not UTF-8 JSON") }]);
  });

  it("checks an agent config against its settings document's schema", async () => {
    const config = JSON.stringify({ version: 1, perAgentType: "not a map" });
    await pending({
      fileType: "agent-config",
      settingsDocument: "review-thresholds",
      size: bytes(config),
      key: "files/agent-config/f1",
    });
    objects.put("files/agent-config/f1", config, "application/json");
    await validateFile("f1", deps);
    const record = await store.get("f1");
    expect(record?.status).toBe("invalid");
    expect(record?.reasons.length).toBeGreaterThan(0);
  });

  it("treats a file the malware scan flagged as invalid, and refuses to hand it out", async () => {
    await pending();
    objects.put("files/dataset/f1", dataset, "application/json", { [MALWARE_SCAN_TAG]: "THREATS_FOUND" });
    await validateFile("f1", deps);
    expect((await store.get("f1"))?.reasons).toEqual([{ path: "malware", message: "the malware scan found threats" }]);
    await expect(downloadLink("f1", { store, objects, clock, expirySeconds: 60 })).rejects.toBeInstanceOf(FileQuarantinedError);
    // The validation tag is added beside the scanner's, never over it.
    expect(objects.current("files/dataset/f1")?.tags).toEqual({
      [MALWARE_SCAN_TAG]: "THREATS_FOUND",
      [VALIDATION_TAG]: "invalid",
    });
  });

  it("keeps a file pending until its scan verdict where the stage scans, then validates it", async () => {
    await pending();
    const versionId = objects.put("files/dataset/f1", dataset, "application/json");
    const scanning = { ...deps, malwareScan: "guardduty" as const };
    await validateFile("f1", scanning);
    expect((await store.get("f1"))?.status).toBe("pending");
    // WHEN the scanner tags the object and its result re-runs validation
    await objects.tag("files/dataset/f1", versionId, { [MALWARE_SCAN_TAG]: "NO_THREATS_FOUND" });
    await validateFile("f1", scanning);
    expect((await store.get("f1"))?.status).toBe("valid");
    expect((await store.statistics()).byStatus).toEqual({ pending: 0, valid: 1, invalid: 0 });
  });

  it("is idempotent: a duplicate notification changes nothing and counts nothing twice", async () => {
    await pending();
    objects.put("files/dataset/f1", dataset, "application/json");
    // WHEN the notification is delivered twice
    expect((await validateFile("f1", deps)).outcome).toBe("settled");
    expect((await validateFile("f1", deps)).outcome).toBe("unchanged");
    // THEN one settle, one count
    expect(store.settles).toHaveLength(1);
    expect((await store.statistics()).byStatus).toEqual({ pending: 0, valid: 1, invalid: 0 });
  });

  it("settles once when two deliveries race, and the loser finds the version judged", async () => {
    await pending();
    objects.put("files/dataset/f1", dataset, "application/json");
    const runs = await Promise.all([validateFile("f1", deps), validateFile("f1", deps)]);
    expect(runs.map((run) => run.outcome).sort()).toEqual(["settled", "unchanged"]);
    expect(store.settles).toHaveLength(1);
    expect((await store.statistics()).total).toBe(1);
  });

  it("judges a new upload at the same key again (a newer version is a new verdict)", async () => {
    await pending();
    objects.put("files/dataset/f1", dataset, "application/json");
    await validateFile("f1", deps);
    objects.put("files/dataset/f1", "{}", "application/json");
    expect((await validateFile("f1", deps)).outcome).toBe("settled");
    expect((await store.get("f1"))?.status).toBe("invalid");
    const stats = await store.statistics();
    expect(stats.byStatus).toEqual({ pending: 0, valid: 0, invalid: 1 });
    expect(stats.totalBytes).toBe(2);
  });

  it("revalidates on request, and answers 404 without a record and 409 without an upload", async () => {
    await pending();
    await expect(revalidate("f1", deps)).rejects.toBeInstanceOf(FileNotUploadedError);
    await expect(revalidate("nope", deps)).rejects.toBeInstanceOf(NotFoundError);
    objects.put("files/dataset/f1", dataset, "application/json");
    await validateFile("f1", deps);
    const again = await revalidate("f1", deps);
    expect(again).toMatchObject({ status: "valid", revision: 2 });
    expect((await store.statistics()).total).toBe(1);
  });

  it("gives a download link only once an upload was judged, to the version judged", async () => {
    await pending();
    const download = { store, objects, clock, expirySeconds: 60 };
    await expect(downloadLink("f1", download)).rejects.toBeInstanceOf(FileNotUploadedError);
    const versionId = objects.put("files/dataset/f1", dataset, "application/json");
    await validateFile("f1", deps);
    expect(await downloadLink("f1", download)).toEqual({
      fileId: "f1",
      url: `memory://files/files/dataset/f1?versionId=${versionId}`,
      expiresAt: "2026-12-02T06:01:00.000Z",
      versionId,
    });
  });
});
