/**
 * Canaries for the emulator's S3 form uploads (presigned POST), which the files context relies
 * on (docs/local-fidelity.md). Each pins one behaviour; when the emulator changes, it fails and
 * names the row to revisit.
 */
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, describe, expect, it } from "vitest";
import { outputs } from "../support/api";

const s3 = new S3Client({});
afterAll(() => s3.destroy());

async function form(bucket: string, maxBytes: number, expires = 60) {
  return createPresignedPost(s3, {
    Bucket: bucket,
    Key: "canary/object.json",
    Conditions: [
      ["content-length-range", 1, maxBytes],
      ["eq", "$Content-Type", "application/json"],
    ],
    Fields: { "Content-Type": "application/json" },
    Expires: expires,
  });
}

async function post(url: string, fields: Record<string, string>, body: string) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append("file", new Blob([body]), "object.json");
  const response = await fetch(url, { method: "POST", body: data, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, text: await response.text() };
}

describe("local fidelity canaries: S3 presigned POST", () => {
  const bucket = `canary-post-${Date.now()}`;

  it("enforces the policy's conditions: size range, exact Content-Type, expiry (as AWS does)", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { url, fields } = await form(bucket, 10);
    expect((await post(url, fields, "12345678901")).text).toContain("EntityTooLarge");
    expect((await post(url, { ...fields, "Content-Type": "text/plain" }, "{}")).status).toBe(403);
    expect((await post(url, fields, "{}")).status).toBe(204);
    const expired = await form(bucket, 10, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await post(expired.url, expired.fields, "{}")).text).toContain("Policy expired");
  });

  it("does not check the form's signature with AUTH off (AWS answers SignatureDoesNotMatch)", async () => {
    const { url, fields } = await form(bucket, 10);
    const tampered = { ...fields, "X-Amz-Signature": "0".repeat(64) };
    // When this starts failing, the emulator checks signatures: drop the row in docs/local-fidelity.md.
    expect((await post(url, tampered, "{}")).status).toBe(204);
  });

  it("ignores response-content-disposition on a presigned GET of a version (AWS applies it)", async () => {
    const versioned = `${bucket}-versions`;
    await s3.send(new CreateBucketCommand({ Bucket: versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }));
    const put = await s3.send(
      new PutObjectCommand({ Bucket: versioned, Key: "a.json", Body: "{}", ContentType: "application/json" }),
    );
    const link = (versionId?: string) =>
      getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: versioned,
          Key: "a.json",
          ...(versionId ? { VersionId: versionId } : {}),
          ResponseContentDisposition: 'attachment; filename="a.json"',
        }),
        { expiresIn: 60 },
      );
    const disposition = async (url: string) => (await fetch(url)).headers.get("content-disposition");
    // When this starts failing, the emulator honours it: assert the header in the files e2e again.
    expect(await disposition(await link(put.VersionId))).toBeNull();
    // The control: on the current object it is applied.
    expect(await disposition(await link())).toBe('attachment; filename="a.json"');
  });

  it("applies the files bucket's L1 EventBridge notification configuration natively", async () => {
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: outputs().FilesBucketName }));
    expect(config.EventBridgeConfiguration).toBeDefined();
  });
});
