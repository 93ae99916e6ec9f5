import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORD_CONFIG, feedSourcesOf } from "#detection/published/settings";
import { documentBytes } from "#optimization/domain/documents";
import { DEFAULT_REVIEW_THRESHOLDS } from "#optimization/domain/review-thresholds";
import { InvalidDefaultError, seedSettings } from "#optimization/domain/seed";
import { runtimeSettingsOf } from "#optimization/published/runtime-settings";
import { fakeClock, InMemoryLedger, InMemorySettingsBucket } from "../../support/optimization";

const defaults = {
  "detection-keywords": DEFAULT_KEYWORD_CONFIG,
  "feed-sources": feedSourcesOf(["https://a.example/feed.json"], 30, 30),
  "review-thresholds": DEFAULT_REVIEW_THRESHOLDS,
  "runtime-settings": runtimeSettingsOf({ maxAgentsPerType: 5, maxConcurrentTasksPerAgent: 3, retryBaseDelaySeconds: 2 }),
};

describe("seedSettings", () => {
  it("creates each document's first version, and leaves them be when the deploy repeats", async () => {
    const bucket = new InMemorySettingsBucket();
    const ledger = new InMemoryLedger();
    expect(await seedSettings(defaults, { bucket, ledger, clock: fakeClock() })).toEqual({
      "detection-keywords": "created",
      "feed-sources": "created",
      "review-thresholds": "created",
      "runtime-settings": "created",
    });
    expect(ledger.entries.map((e) => [e.document, e.origin, e.changedBy])).toContainEqual(["feed-sources", "seed", "deploy"]);
    expect(Object.values(await seedSettings(defaults, { bucket, ledger, clock: fakeClock() }))).toEqual(
      Array(4).fill("unchanged"),
    );
  });

  it("updates a document only deploys ever wrote, never one an optimization tuned", async () => {
    const bucket = new InMemorySettingsBucket();
    const ledger = new InMemoryLedger();
    await seedSettings(defaults, { bucket, ledger, clock: fakeClock() });
    bucket.write("runtime-settings", documentBytes({ ...defaults["runtime-settings"], maxAgentsPerType: 7 }), {
      origin: "applied",
      changedBy: "admin",
    });
    const redeploy = {
      ...defaults,
      "feed-sources": feedSourcesOf(["https://b.example/feed.json"], 30, 30),
      "runtime-settings": { ...defaults["runtime-settings"], maxAgentsPerType: 9 },
    };
    expect(await seedSettings(redeploy, { bucket, ledger, clock: fakeClock() })).toMatchObject({
      "feed-sources": "updated",
      "runtime-settings": "kept-tuned",
    });
    const sources = await bucket.get("feed-sources");
    expect(JSON.parse(Buffer.from(sources?.body ?? []).toString())).toMatchObject({
      feeds: [{ url: "https://b.example/feed.json" }],
    });
  });

  it("refuses a default that fails its own schema, before writing anything", async () => {
    const bucket = new InMemorySettingsBucket();
    await expect(
      seedSettings(
        { ...defaults, "review-thresholds": { ...DEFAULT_REVIEW_THRESHOLDS, coolCpuPercent: 95 } },
        { bucket, ledger: new InMemoryLedger(), clock: fakeClock() },
      ),
    ).rejects.toBeInstanceOf(InvalidDefaultError);
    expect(bucket.versions.size).toBe(0);
  });
});
