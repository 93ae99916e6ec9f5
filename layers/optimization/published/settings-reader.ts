import type { S3Client } from "@aws-sdk/client-s3";
import type * as z from "zod";
import { type EnvValues, envContract, envVar } from "#shared/env-contract";
import { type FetchedVersion, S3SettingsBucket } from "../adapters/s3-settings-bucket";

/** The settings bucket's name: what the optimization functions that read or write documents are given. */
export const SettingsBucketEnvironment = envContract({ SETTINGS_BUCKET: envVar.name() });

/** The variables a settings consumer reads: declared once, written by the CDK with `settingsEnvironment`. */
export const SettingsEnvironment = SettingsBucketEnvironment.and(
  envContract({
    /** How long a consumer uses a version before it asks S3 whether there is a newer one. */
    SETTINGS_MAX_AGE_SECONDS: envVar.int({ min: 0, max: 3_600 }),
  }),
);
export type SettingsEnv = EnvValues<typeof SettingsEnvironment.vars>;

/** What the CDK gives a function or agent that reads settings documents. */
export const settingsEnvironment = (bucketName: string, maxAgeSeconds: number): Record<string, string> =>
  SettingsEnvironment.toEnvironment({ SETTINGS_BUCKET: bucketName, SETTINGS_MAX_AGE_SECONDS: maxAgeSeconds });

/** One version of a settings document, parsed. */
export interface Settings<T> {
  readonly value: T;
  /** The S3 version id. */
  readonly version: string;
  readonly etag: string;
}

/**
 * Fetches the document unless its current version is `versionId`. By version, not ETag: a
 * rollback writes the bytes of an earlier version, so its ETag (the content's MD5) repeats while
 * the version is new, and a reader comparing ETags would keep reporting the version it held.
 */
export type DocumentFetcher = (versionId: string | undefined) => Promise<FetchedVersion>;

export interface SettingsReaderOptions {
  /** A version is used this long before S3 is asked (with its ETag) whether there is a newer one. */
  readonly maxAgeMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told of every version that does not parse and every failed revalidation (the reader keeps the last good version). */
  readonly onProblem: (message: string, details: Record<string, unknown>) => void;
}

/** Raised when a document cannot be read and no earlier version is at hand to go on with. */
export class SettingsUnavailableError extends Error {
  constructor(
    readonly document: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`settings document ${document}: ${message}`, options);
    this.name = "SettingsUnavailableError";
  }
}

/**
 * A consumer's view of one settings document: the version in hand is used for at most
 * `maxAgeMs`; the next use after that revalidates with the ETag (`If-None-Match`, so an
 * unchanged document costs a 304 and no bytes) and takes a new version if there is one. So any
 * use sees a version at most `maxAgeMs` (plus one request) older than the current one.
 *
 *   use ─ fresh? ─ yes ─▶ the version in hand
 *          └ no ─▶ GET If-None-Match: etag ─ 304 ─▶ the same version, fresh again
 *                                          ├ 200 ─▶ parse ─ ok ─▶ the new version
 *                                          │              └ bad ─▶ keep the last good one, report it
 *                                          └ fails ─▶ keep the last good one, report it (none: throw)
 *
 * A version that does not parse is never used: the pipeline verifies what it writes, so one
 * here was written around it, and the reader reports it rather than run on it.
 *
 * @example
 * const keywords = new SettingsReader("detection-keywords", fetcher, KeywordConfig, { maxAgeMs: 2_000, onProblem });
 * const { value, version } = await keywords.current();
 */
export class SettingsReader<T> {
  private held: (Settings<T> & { checkedAt: number }) | undefined;
  private inFlight: Promise<Settings<T>> | undefined;
  private readonly now: () => number;

  constructor(
    readonly document: string,
    private readonly fetch: DocumentFetcher,
    private readonly schema: z.ZodType<T>,
    private readonly options: SettingsReaderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The version to use now. */
  async current(): Promise<Settings<T>> {
    if (this.held && this.now() - this.held.checkedAt < this.options.maxAgeMs) return this.held;
    this.inFlight ??= this.revalidate().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async revalidate(): Promise<Settings<T>> {
    const held = this.held;
    let fetched: FetchedVersion;
    try {
      fetched = await this.fetch(held?.version);
    } catch (error) {
      if (!held) throw new SettingsUnavailableError(this.document, "could not be read", { cause: error });
      this.options.onProblem("could not revalidate a settings document; going on with the version in hand", {
        document: this.document,
        version: held.version,
        error,
      });
      this.held = { ...held, checkedAt: this.now() };
      return this.held;
    }
    const checkedAt = this.now();
    if (!fetched.changed && held) {
      this.held = { ...held, checkedAt };
      return this.held;
    }
    const version = fetched.changed ? fetched.version : undefined;
    if (!version) {
      if (!held) throw new SettingsUnavailableError(this.document, "does not exist");
      this.options.onProblem("a settings document vanished; going on with the version in hand", { document: this.document });
      this.held = { ...held, checkedAt };
      return this.held;
    }
    const parsed = this.parse(version.body);
    if (!parsed.success) {
      if (!held) throw new SettingsUnavailableError(this.document, `version ${version.versionId} is invalid: ${parsed.message}`);
      this.options.onProblem("a new settings version is invalid; going on with the last good one", {
        document: this.document,
        invalidVersion: version.versionId,
        version: held.version,
        problem: parsed.message,
      });
      this.held = { ...held, checkedAt };
      return this.held;
    }
    this.held = { value: parsed.value, version: version.versionId, etag: version.etag, checkedAt };
    return this.held;
  }

  private parse(body: Uint8Array): { success: true; value: T } | { success: false; message: string } {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch (error) {
      return { success: false, message: `not JSON (${error instanceof Error ? error.message : String(error)})` };
    }
    const result = this.schema.safeParse(json);
    return result.success
      ? { success: true, value: result.data }
      : { success: false, message: result.error.issues.map((i) => `/${i.path.join("/")}: ${i.message}`).join("; ") };
  }
}

/**
 * A reader of one settings document in the settings bucket.
 *
 * @example
 * const runtime = s3SettingsReader({ s3, env: SettingsEnvironment.read(), document: RUNTIME_SETTINGS_DOCUMENT, schema: RuntimeSettings, onProblem });
 */
export function s3SettingsReader<T>(options: {
  readonly s3: S3Client;
  readonly env: SettingsEnv;
  readonly document: string;
  readonly schema: z.ZodType<T>;
  readonly onProblem: SettingsReaderOptions["onProblem"];
}): SettingsReader<T> {
  const bucket = new S3SettingsBucket(options.s3, options.env.SETTINGS_BUCKET);
  return new SettingsReader(options.document, (versionId) => bucket.getIfChanged(options.document, versionId), options.schema, {
    maxAgeMs: options.env.SETTINGS_MAX_AGE_SECONDS * 1_000,
    onProblem: options.onProblem,
  });
}
