import type { S3Client } from "@aws-sdk/client-s3";
import { KeywordConfig } from "#detection/published/settings";
import { type SettingsEnv, s3SettingsReader } from "#optimization/published/settings-reader";
import { logger } from "#shared/powertools";
import { MODEL_DOCUMENT } from "../domain/model-version";
import type { CurrentDocument } from "../domain/ports";

/**
 * The current version of the `detection-keywords` document, read through the optimization
 * context's published reader with no caching (a promotion must name the version it replaces,
 * not one seconds old, or the pipeline would find it stale).
 */
export function currentKeywordsDocument(s3: S3Client, env: SettingsEnv): CurrentDocument {
  const reader = s3SettingsReader({
    s3,
    env: { ...env, SETTINGS_MAX_AGE_SECONDS: 0 },
    document: MODEL_DOCUMENT,
    schema: KeywordConfig,
    onProblem: (message, details) => logger.warn(message, details),
  });
  return { currentVersion: async () => (await reader.current()).version };
}
