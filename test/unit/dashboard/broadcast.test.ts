import { describe, expect, it } from "vitest";
import { broadcast } from "#core/dashboard/domain/broadcast";
import type { ServerEvent } from "#core/dashboard/domain/protocol";
import { InMemoryConnectionStore, RecordingGateway } from "../../support/in-memory-connections";

const event: ServerEvent = { type: "task_update", seq: 7, timestamp: "2026-11-23T10:00:00.000Z", data: { taskId: "t1" } };

describe("broadcast", () => {
  it("delivers to subscribers of the event's topic and of `all`, once each, and to no one else", async () => {
    // GIVEN
    const connections = new InMemoryConnectionStore();
    await connections.subscribe("tasks-only", ["tasks"]);
    await connections.subscribe("everything", ["all", "tasks"]);
    await connections.subscribe("agents-only", ["agents_only"]);
    const gateway = new RecordingGateway();
    // WHEN
    const report = await broadcast(event, { connections, gateway, concurrency: 2 });
    // THEN
    expect(gateway.sentTo("tasks-only")).toEqual([event]);
    expect(gateway.sentTo("everything")).toEqual([event]);
    expect(gateway.sentTo("agents-only")).toEqual([]);
    expect(report).toMatchObject({ recipients: 2, delivered: 2, gone: 0, failed: [] });
  });

  it("removes exactly the connections that are gone", async () => {
    const connections = new InMemoryConnectionStore();
    for (const id of ["a", "b", "c"]) await connections.subscribe(id, ["tasks"]);
    const report = await broadcast(event, { connections, gateway: new RecordingGateway(new Set(["b"])), concurrency: 10 });
    expect(report).toMatchObject({ delivered: 2, gone: 1 });
    expect((await connections.subscribers("tasks")).sort()).toEqual(["a", "c"]);
  });

  it("reports failed deliveries without stopping the others or dropping the connection", async () => {
    const connections = new InMemoryConnectionStore();
    for (const id of ["a", "b", "c"]) await connections.subscribe(id, ["tasks"]);
    const gateway = new RecordingGateway(new Set(), new Set(["a"]));
    const report = await broadcast(event, { connections, gateway, concurrency: 1 });
    expect(report.delivered).toBe(2);
    expect(report.failed.map((f) => f.connectionId)).toEqual(["a"]);
    expect(await connections.subscribers("tasks")).toContain("a");
  });
});
