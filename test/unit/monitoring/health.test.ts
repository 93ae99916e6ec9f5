import { describe, expect, it } from "vitest";
import { checkHealth } from "#monitoring/domain/health";

const now = () => new Date("2026-11-23T10:00:00.000Z");

describe("checkHealth", () => {
  it("is ok when every component answers", async () => {
    const report = await checkHealth([{ name: "db", check: async () => {} }], { timeoutMs: 100, now });
    expect(report).toMatchObject({ status: "ok", components: { db: { status: "ok" } } });
  });

  it("degrades, naming the component, when one fails or hangs — and still answers in time", async () => {
    const started = Date.now();
    const report = await checkHealth(
      [
        { name: "db", check: async () => {} },
        { name: "queue", check: () => Promise.reject(new Error("AccessDenied: secret arn")) },
        { name: "bus", check: () => new Promise(() => {}) },
      ],
      { timeoutMs: 50, now },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.status).toBe("degraded");
    expect(report.components.queue).toMatchObject({ status: "down", error: "Error" });
    expect(report.components.bus).toMatchObject({ status: "down", error: "TimeoutError" });
    expect(JSON.stringify(report)).not.toContain("secret");
  });
});
