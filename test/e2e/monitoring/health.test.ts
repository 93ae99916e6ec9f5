import { describe, expect, it } from "vitest";
import { api } from "../support/api";

describe("GET /api/health", () => {
  it("reports each component the swarm depends on, without a token", async () => {
    const { status, body } = await api("GET", "/api/health", { token: null });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "ok",
      stage: "local",
      components: {
        tasksTable: { status: "ok" },
        connectionsTable: { status: "ok" },
        workQueues: { status: "ok" },
        eventBus: { status: "ok" },
      },
    });
  });
});
