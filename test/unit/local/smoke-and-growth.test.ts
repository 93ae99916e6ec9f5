import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { LOCAL_LOG_RETENTION_MS, pruneOldLogs } from "../../../scripts/local/local-growth";
import { shortOfMinimum } from "../../../scripts/local/smoke-check";

const view = (running: number, healthy: number) => ({
  types: AGENT_TYPES.map((agentType) => ({ agentType, desired: 1, running })),
  agents: AGENT_TYPES.flatMap((agentType) =>
    Array.from({ length: healthy }, (_, i) => ({ agentType, status: "healthy", taskArn: `arn:task/${agentType}/${i}` })),
  ),
});

describe("shortOfMinimum", () => {
  it("passes when every type with a minimum runs it and has as many healthy agents", () => {
    expect(shortOfMinimum(view(1, 1))).toEqual([]);
  });

  it("names each type short of its minimum, counting neither a task without an agent nor an agent that is not healthy", () => {
    expect(shortOfMinimum(view(1, 0))).toEqual([
      "scraping-efficiency: 1 running, 0 healthy of a minimum of 1",
      "keyword-precision: 1 running, 0 healthy of a minimum of 1",
      "data-quality: 1 running, 0 healthy of a minimum of 1",
    ]);
    const degraded = view(1, 1);
    degraded.agents = degraded.agents.map((agent) =>
      agent.agentType === "data-quality" ? { ...agent, status: "unhealthy" } : agent,
    );
    expect(shortOfMinimum(degraded)).toEqual(["data-quality: 1 running, 0 healthy of a minimum of 1"]);
  });
});

describe("pruneOldLogs", () => {
  it("deletes the logs not written to for a day, and keeps the rest", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "logs-"));
    try {
      const now = Date.parse("2026-12-01T12:00:00.000Z");
      for (const [name, age] of [
        ["old-agent.log", LOCAL_LOG_RETENTION_MS + 60_000],
        ["recent-agent.log", 60_000],
        ["emulator-4566.log", 0],
        ["notes.txt", LOCAL_LOG_RETENTION_MS * 3],
      ] as const) {
        const file = path.join(dir, name);
        writeFileSync(file, "x");
        utimesSync(file, new Date(now - age), new Date(now - age));
      }
      expect(pruneOldLogs(dir, LOCAL_LOG_RETENTION_MS, now)).toBe(1);
      expect(readdirSync(dir).sort()).toEqual(["emulator-4566.log", "notes.txt", "recent-agent.log"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
