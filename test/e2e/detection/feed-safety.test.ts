import { describe, expect, inject, it } from "vitest";
import { outputs, submitAsSystem, taskUntil } from "../support/api";

/** Asks a scraper to poll `url` now, as the system would, and waits for the task to finish. */
async function fetchNow(url: string) {
  const submitted = await submitAsSystem(
    { type: "feed.fetch", agentType: "scraping-efficiency", priority: "high", maxRetries: 0, payload: { url } },
    "scraping-efficiency",
  );
  expect(submitted.status).toBe(201);
  return taskUntil(submitted.body.taskId, (t) => ["completed", "failed", "dead_lettered"].includes(t.status), 30_000);
}

describe("no SSRF through feed.fetch (issue 17)", () => {
  it("refuses the emulator's own address and a URL that is not a configured feed; the configured feed is polled", async () => {
    const emulator = new URL(outputs().endpoint);
    for (const url of [`http://127.0.0.1:${emulator.port || "4566"}/`, `${inject("feedUrl")}?then=redirect`]) {
      const task = await fetchNow(url);
      expect(task.status, url).toBe("failed");
      expect(task.error?.message, url).toMatch(/refused: not one of the stage's configured feeds/);
    }
    // Control: the stage's own feed (on this machine, allowed by name on local only) is fetched.
    expect((await fetchNow(inject("feedUrl"))).status).toBe("completed");
  });
});
