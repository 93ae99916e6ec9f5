import { readFileSync } from "node:fs";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, inject, it } from "vitest";
import { api, eventually, outputs, tokenFor } from "../support/api";

interface Upload {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}
interface FileBody {
  fileId: string;
  name: string;
  status: "pending" | "valid" | "invalid";
  reasons: { path: string; message: string }[];
  size: number;
  object?: { versionId?: string; size: number; sha256?: string };
  uploadedAt?: string;
}
interface Statistics {
  total: number;
  totalBytes: number;
  byType: Record<string, { count: number; bytes: number; byStatus: Record<string, number> }>;
  byStatus: Record<string, number>;
}

const lambda = new LambdaClient({});
afterAll(() => lambda.destroy());

/** A labelled dataset in the fixtures' format: the shipped held-out feed with its labels. */
const feed = JSON.parse(readFileSync("fixtures/feeds/tge-heldout.json", "utf8")) as { items: { id: string }[] };
const labels = JSON.parse(readFileSync("fixtures/feeds/tge-heldout.labels.json", "utf8")) as Record<string, unknown>;
const validDataset = Buffer.from(JSON.stringify({ feed, labels }));

const spec = (body: Buffer, overrides: Record<string, unknown> = {}) => ({
  name: "heldout.json",
  size: body.byteLength,
  contentType: "application/json",
  fileType: "dataset",
  tags: ["e2e"],
  metadata: { source: "fixtures" },
  ...overrides,
});

/** Asks for uploads as an operator; fails the test on anything but 201. */
async function requestUploads(files: unknown[]): Promise<{ file: FileBody; upload: Upload }[]> {
  const answer = await api<{ files: { file: FileBody; upload: Upload }[] }>("POST", "/api/files/uploads", {
    token: await tokenFor("operator"),
    body: { files },
  });
  if (answer.status !== 201) throw new Error(`uploads answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.files;
}

/** Posts a file through its presigned form, as a browser would: the form's fields, then `file` (multipart/form-data). */
async function post(
  upload: Upload,
  body: Buffer,
  fields: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...upload.fields, ...fields })) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(body)]), "upload.json");
  const response = await fetch(upload.url, { method: "POST", body: form, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text() };
}

const fileUntil = (fileId: string, done: (file: FileBody) => boolean, what: string) =>
  eventually(async () => (await api<FileBody>("GET", `/api/files/${fileId}`)).body, done, 30_000, what);

describe("uploads through presigned forms, validated on arrival", () => {
  let validId: string;

  it("takes a labelled dataset through the form to `valid`, and hands the same bytes back", async () => {
    // GIVEN a pending record and its form
    const [answer] = await requestUploads([spec(validDataset)]);
    if (!answer) throw new Error("no upload answered");
    expect(answer.file.status).toBe("pending");
    expect(answer.upload.maxBytes).toBe(inject("config").maxUploadBytes);
    validId = answer.file.fileId;
    // Before the upload there is nothing to download.
    expect((await api("GET", `/api/files/${validId}/download`)).status).toBe(409);

    // WHEN the file is posted to S3 (the emulator's, over real HTTP)
    const started = performance.now();
    const posted = await post(answer.upload, validDataset);
    expect(posted.status, posted.text).toBe(204);

    // THEN the notification validates it
    const file = await fileUntil(validId, (f) => f.status !== "pending", "the dataset's verdict");
    console.log(
      `[files] ${validDataset.byteLength} bytes: form POST → verdict on the record in ${Math.round(performance.now() - started)} ms`,
    );
    expect(file).toMatchObject({ status: "valid", reasons: [], object: { size: validDataset.byteLength } });
    expect(file.uploadedAt).toBeDefined();

    // AND the download link gets the same bytes, as an attachment under its name
    const download = await api<{ url: string; versionId?: string }>("GET", `/api/files/${validId}/download`, {
      token: await tokenFor("viewer"),
    });
    expect(download.status).toBe(200);
    expect(download.headers.get("cache-control")).toBe("no-store");
    expect(download.body.versionId).toBe(file.object?.versionId);
    const fetched = await fetch(download.body.url, { signal: AbortSignal.timeout(15_000) });
    expect(fetched.status).toBe(200);
    // S3 names the download from the link's signed `response-content-disposition`; the emulator
    // ignores it on a GET by version (docs/local-fidelity.md), so the link itself is checked.
    expect(new URL(download.body.url).searchParams.get("response-content-disposition")).toContain('filename="heldout.json"');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(validDataset)).toBe(true);
    // The control: the link is signed; a tampered one is refused.
    expect((await fetch(download.body.url.replace(/X-Amz-Signature=[0-9a-f]{4}/, "X-Amz-Signature=0000"))).status).toBe(403);
  });

  it("marks a dataset with an unlabelled item `invalid`, naming the item", async () => {
    const unlabelled = Object.fromEntries(Object.entries(labels).filter(([id]) => id !== feed.items[2]?.id));
    const body = Buffer.from(JSON.stringify({ feed, labels: unlabelled }));
    const [answer] = await requestUploads([spec(body, { name: "unlabelled.json" })]);
    if (!answer) throw new Error("no upload answered");
    expect((await post(answer.upload, body)).status).toBe(204);
    const file = await fileUntil(answer.file.fileId, (f) => f.status !== "pending", "the unlabelled dataset's verdict");
    expect(file.status).toBe("invalid");
    expect(file.reasons).toEqual([{ path: "feed.items.2.id", message: `item ${feed.items[2]?.id} has no label` }]);
  });

  it("lets S3 itself refuse a file over the limit, though its declared size was small", async () => {
    const max = inject("config").maxUploadBytes;
    const [answer] = await requestUploads([spec(Buffer.from("{}"), { name: "small-on-paper.json" })]);
    if (!answer) throw new Error("no upload answered");
    // WHEN one byte more than the limit is posted
    const refused = await post(answer.upload, Buffer.alloc(max + 1, 0x20));
    // THEN S3 answers the policy's error, and no upload arrived
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("EntityTooLarge");
    // The control: the same form takes a body at the limit (it is then invalid: not the declared size).
    expect((await post(answer.upload, Buffer.alloc(max, 0x20))).status).toBe(204);
    const file = await fileUntil(answer.file.fileId, (f) => f.status !== "pending", "the over-declared file's verdict");
    expect(file.reasons.map((r) => r.path)).toContain("size");
  });

  it("lets S3 itself refuse a content type other than the form's", async () => {
    const [answer] = await requestUploads([spec(validDataset, { name: "typed.json" })]);
    if (!answer) throw new Error("no upload answered");
    const refused = await post(answer.upload, validDataset, { "Content-Type": "text/plain" });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Policy Condition failed");
    // And another key than the form's.
    const elsewhere = await post(answer.upload, validDataset, { key: "files/dataset/somewhere-else" });
    expect(elsewhere.status).toBe(403);
    expect((await api<FileBody>("GET", `/api/files/${answer.file.fileId}`)).body.object).toBeUndefined();
  });

  it("refuses bad requests naming every field, and a viewer before reading the body", async () => {
    const max = inject("config").maxUploadBytes;
    const operator = await tokenFor("operator");
    const tooMany = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/files/uploads", {
      token: operator,
      body: {
        files: [
          spec(validDataset, { fileType: "spreadsheet" }),
          spec(validDataset, { contentType: "text/csv" }),
          ...Array.from({ length: 9 }, () => spec(validDataset)),
        ],
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields.map((f) => f.field).sort()).toEqual(["files", "files.0.fileType", "files.1.contentType"]);
    const oversize = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/files/uploads", {
      token: operator,
      body: { files: [spec(validDataset), spec(validDataset, { size: max + 1 })] },
    });
    expect(oversize.status).toBe(400);
    expect(oversize.body.error.fields.map((f) => f.field)).toEqual(["files.1.size"]);
    // A viewer is refused with 403 whatever the body holds (it learns nothing of the schema).
    const viewer = await api<{ error: { fields?: unknown } }>("POST", "/api/files/uploads", {
      token: await tokenFor("viewer"),
      body: { files: "not even a list" },
    });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.fields).toBeUndefined();
  });

  it("is idempotent: a notification delivered twice changes nothing; a revalidation judges again", async () => {
    // GIVEN the valid file and the statistics
    const before = await api<FileBody & { validatedAt: string }>("GET", `/api/files/${validId}`);
    const statsBefore = (await api<Statistics>("GET", "/api/files/statistics")).body;
    const event = {
      version: "0",
      source: "aws.s3",
      "detail-type": "Object Created",
      detail: { bucket: { name: outputs().FilesBucketName }, object: { key: `files/dataset/${validId}` } },
    };
    // WHEN its notification is delivered twice more
    for (let delivery = 0; delivery < 2; delivery++) {
      const invoked = await lambda.send(
        new InvokeCommand({ FunctionName: outputs().ValidateUploadFunctionName, Payload: JSON.stringify(event) }),
      );
      expect(invoked.FunctionError).toBeUndefined();
      expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toEqual({ outcome: "unchanged", fileId: validId });
    }
    // THEN the record and the counts are as they were
    const after = await api<FileBody & { validatedAt: string }>("GET", `/api/files/${validId}`);
    expect(after.body.validatedAt).toBe(before.body.validatedAt);
    expect((await api<Statistics>("GET", "/api/files/statistics")).body).toEqual(statsBefore);
    // The control: a revalidation does judge again (a new validatedAt), and still counts the file once.
    const again = await api<FileBody & { validatedAt: string }>("POST", `/api/files/${validId}/validate`, {
      token: await tokenFor("operator"),
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("valid");
    expect(again.body.validatedAt).not.toBe(before.body.validatedAt);
    expect((await api<Statistics>("GET", "/api/files/statistics")).body).toEqual(statsBefore);
  });

  it("lists, gets and counts what was uploaded", async () => {
    const page = await api<{ items: FileBody[] }>("GET", "/api/files?fileType=dataset&limit=100", {
      token: await tokenFor("viewer"),
    });
    expect(page.status).toBe(200);
    const names = page.body.items.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["heldout.json", "unlabelled.json", "small-on-paper.json", "typed.json"]));
    expect(page.body.items.find((f) => f.fileId === validId)?.status).toBe("valid");
    // Newest first, and one page at a time.
    const first = await api<{ items: FileBody[]; nextCursor?: string }>("GET", "/api/files?limit=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.headers.get("link")).toContain("cursor=");
    const second = await api<{ items: FileBody[] }>("GET", `/api/files?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0]?.fileId).not.toBe(first.body.items[0]?.fileId);
    expect((await api("GET", "/api/files?fileType=spreadsheet")).status).toBe(400);

    const stats = (await api<Statistics>("GET", "/api/files/statistics")).body;
    expect(stats.byType.dataset?.byStatus.valid).toBeGreaterThanOrEqual(1);
    expect(stats.byType.dataset?.byStatus.invalid).toBeGreaterThanOrEqual(2);
    expect(stats.byType.dataset?.byStatus.pending).toBeGreaterThanOrEqual(1);
    expect(stats.totalBytes).toBeGreaterThanOrEqual(validDataset.byteLength + inject("config").maxUploadBytes);
    expect(stats.total).toBe(Object.values(stats.byStatus).reduce((sum, n) => sum + n, 0));
    expect((await api("GET", "/api/files/no-such")).status).toBe(404);
  });

  it("never logs a presigned form or link", async () => {
    const logs = new CloudWatchLogsClient({});
    try {
      const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({}));
      const ours = logGroups.filter((g) => /RequestUploads|DownloadFile/.test(g.logGroupName ?? ""));
      // The control: the functions did log (their invocation summaries), so an absence below means something.
      const lines: string[] = [];
      for (const group of ours) {
        const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: group.logGroupName }));
        lines.push(...events.map((e) => e.message ?? ""));
      }
      expect(lines.some((line) => line.includes("invocation finished"))).toBe(true);
      expect(lines.filter((line) => /x-amz-signature|X-Amz-Credential|"policy"/i.test(line))).toEqual([]);
    } finally {
      logs.destroy();
    }
  });
});
