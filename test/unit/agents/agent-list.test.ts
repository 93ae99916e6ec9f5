import { describe, expect, it } from "vitest";
import { agentOrder, AgentListQuery, statusOrderIsComplete } from "#agents/domain/agent-list";
import { anAgent } from "../../support/agents";

describe("agent lists", () => {
  const agents = [
    anAgent({ agentId: "a", agentType: "data-quality", status: "healthy", registeredAt: "2026-12-01T10:00:00.000Z" }),
    anAgent({ agentId: "b", agentType: "scraping-efficiency", status: "stopped", registeredAt: "2026-12-01T11:00:00.000Z" }),
    anAgent({ agentId: "c", agentType: "data-quality", status: "degraded", registeredAt: "2026-12-01T12:00:00.000Z" }),
  ];
  const ids = (sort: AgentListQuery["sort"]) => [...agents].sort(agentOrder(sort)).map((a) => a.agentId);

  it("sort newest first, by type in catalog order, or by status with working agents first", () => {
    expect(ids("registered")).toEqual(["c", "b", "a"]);
    expect(ids("type")).toEqual(["b", "c", "a"]);
    expect(ids("status")).toEqual(["a", "c", "b"]);
  });

  it("have a place in the status order for every status", () => {
    expect(statusOrderIsComplete()).toBe(true);
  });

  it("refuse an unknown filter or sort, naming it", () => {
    const result = AgentListQuery.safeParse({ type: "astrologer", sort: "height", extra: "1" });
    expect(result.error?.issues.map((i) => i.path.join(".") || i.code).sort()).toEqual(["sort", "type", "unrecognized_keys"]);
  });
});
