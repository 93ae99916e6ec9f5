import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import type { FetchedVersion } from "#optimization/adapters/s3-settings-bucket";
import { documentBytes } from "#optimization/domain/documents";
import { SettingsReader, SettingsUnavailableError } from "#optimization/published/settings-reader";

const Doc = z.object({ threshold: z.number().max(1) }).strict();

/** A document in a bucket that answers 304 to its current ETag, counting requests. */
function source() {
  let version = 0;
  let body = documentBytes({ threshold: 0.5 });
  const state = { requests: 0, failNext: false };
  const fetch = async (versionId: string | undefined): Promise<FetchedVersion> => {
    state.requests++;
    if (state.failNext) {
      state.failNext = false;
      throw new Error("connect ETIMEDOUT");
    }
    if (versionId === `v${version}`) return { changed: false };
    return {
      changed: true,
      version: {
        versionId: `v${version}`,
        // The content's hash, as S3's ETag is: the same bytes give the same ETag.
        etag: `"${Buffer.from(body).toString("base64")}"`,
        lastModified: "",
        metadata: { origin: "seed", changedBy: "deploy" },
        body,
      },
    };
  };
  const publish = (document: unknown) => {
    version++;
    body = documentBytes(document);
  };
  return { fetch, publish, state };
}

describe("SettingsReader", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("picks up a rollback: a new version with the bytes (and so the ETag) of an older one", async () => {
    const doc = source();
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 0, onProblem: () => undefined });
    expect((await reader.current()).version).toBe("v0");
    doc.publish({ threshold: 0.5 });
    // Same bytes as v0, same ETag; a reader comparing ETags would still say v0.
    expect(await reader.current()).toMatchObject({ value: { threshold: 0.5 }, version: "v1" });
  });

  it("uses a version for maxAge, then revalidates with its version id and picks up a new one", async () => {
    const doc = source();
    const problems: string[] = [];
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 2_000, onProblem: (m) => problems.push(m) });

    expect(await reader.current()).toMatchObject({ value: { threshold: 0.5 }, version: "v0" });
    doc.publish({ threshold: 0.6 });
    vi.advanceTimersByTime(1_999);
    expect((await reader.current()).version).toBe("v0");
    expect(doc.state.requests).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await reader.current()).toMatchObject({ value: { threshold: 0.6 }, version: "v1" });
    expect(doc.state.requests).toBe(2);
    expect(problems).toEqual([]);
  });

  it("an unchanged document costs one conditional request per maxAge (a 304), not a download", async () => {
    const doc = source();
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 1_000, onProblem: () => undefined });
    await reader.current();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1_000);
      expect((await reader.current()).version).toBe("v0");
    }
    expect(doc.state.requests).toBe(6);
  });

  it("never runs on a version that does not parse: keeps the last good one and reports it", async () => {
    const doc = source();
    const problems: Record<string, unknown>[] = [];
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 0, onProblem: (_m, details) => problems.push(details) });
    await reader.current();
    doc.publish({ threshold: 7 });
    expect((await reader.current()).value).toEqual({ threshold: 0.5 });
    expect(problems).toEqual([
      expect.objectContaining({ invalidVersion: "v1", version: "v0", problem: expect.stringContaining("/threshold") }),
    ]);
  });

  it("goes on with the version in hand when S3 fails, and fails only without one", async () => {
    const doc = source();
    const problems: string[] = [];
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 0, onProblem: (m) => problems.push(m) });
    doc.state.failNext = true;
    await expect(reader.current()).rejects.toBeInstanceOf(SettingsUnavailableError);
    await reader.current();
    doc.state.failNext = true;
    expect((await reader.current()).version).toBe("v0");
    expect(problems).toEqual(["could not revalidate a settings document; going on with the version in hand"]);
  });

  it("asks once for many concurrent uses", async () => {
    const doc = source();
    const reader = new SettingsReader("d", doc.fetch, Doc, { maxAgeMs: 1_000, onProblem: () => undefined });
    await Promise.all([reader.current(), reader.current(), reader.current()]);
    expect(doc.state.requests).toBe(1);
  });
});
