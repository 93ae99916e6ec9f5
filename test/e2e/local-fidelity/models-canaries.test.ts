/**
 * Canaries for what docs/local-fidelity.md says about the emulator's S3 as the model registry
 * uses it: each pins one behaviour the registry's tests rely on, and fails when the emulator
 * changes.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, describe, expect, it } from "vitest";
import { STAND_IN_JOBS_PREFIX } from "../../../lib/stacks/models-stack";
import { outputs } from "../support/api";

const s3 = new S3Client({});
afterAll(() => s3.destroy());

describe("local fidelity canaries: the model registry's S3", () => {
  it("verifies a presigned GET's signature and expiry even with AUTH off, and serves the version it names (the export test's controls)", async () => {
    const Bucket = outputs().ModelsBucketName;
    const Key = `${STAND_IN_JOBS_PREFIX}canary-${Date.now()}.json`;
    const first = await s3.send(new PutObjectCommand({ Bucket, Key, Body: "first" }));
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: "second" }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key, VersionId: first.VersionId }), { expiresIn: 60 });
    const read = async (target: string) => {
      const response = await fetch(target, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, text: await response.text() };
    };
    expect(await read(url)).toEqual({ status: 200, text: "first" });
    const tampered = url.replace(
      /(X-Amz-Signature=)([0-9a-f])/,
      (_m, name: string, c: string) => `${name}${c === "0" ? "1" : "0"}`,
    );
    expect((await read(tampered)).status, "the emulator no longer checks presigned signatures").toBe(403);
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    expect((await read(expired)).status, "the emulator no longer checks presigned expiry").toBe(403);
  });
});
