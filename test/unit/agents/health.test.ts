import { describe, expect, it } from "vitest";
import { classifyHealth } from "#agents/domain/health";
import { anAgent } from "../../support/agents";

const at = (seconds: number) => new Date(Date.parse("2026-11-23T10:00:00.000Z") + seconds * 1_000);

describe("classifyHealth", () => {
  it("is healthy while heartbeats are on time and errors low", () => {
    expect(classifyHealth(anAgent(), at(12)).status).toBe("healthy");
  });

  it("is degraded after 1.5 missed intervals, unhealthy after 3", () => {
    expect(classifyHealth(anAgent(), at(16))).toMatchObject({
      status: "degraded",
      reason: expect.stringContaining("no heartbeat for 16s"),
    });
    expect(classifyHealth(anAgent(), at(30))).toMatchObject({ status: "unhealthy" });
  });

  it("judges error rate, CPU and memory", () => {
    const busy = (workload: Partial<ReturnType<typeof anAgent>["workload"]>) =>
      anAgent({ workload: { ...anAgent().workload, ...workload } });
    expect(classifyHealth(busy({ errorRate: 0.25 }), at(1))).toMatchObject({ status: "degraded", reason: "error rate 25%" });
    expect(classifyHealth(busy({ errorRate: 0.6 }), at(1))).toMatchObject({ status: "unhealthy" });
    expect(classifyHealth(busy({ cpuPercent: 99 }), at(1))).toMatchObject({ status: "degraded", reason: "CPU at 99%" });
    expect(classifyHealth(busy({ memoryPercent: 97 }), at(1))).toMatchObject({ status: "degraded", reason: "memory at 97%" });
  });
});
