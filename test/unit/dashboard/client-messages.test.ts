import { describe, expect, it } from "vitest";
import { handleClientMessage } from "#core/dashboard/domain/client-messages";
import { InMemoryConnectionStore, RecordingGateway } from "../../support/in-memory-connections";

const clock = { now: () => new Date("2026-11-23T10:00:00.000Z") };

describe("handleClientMessage", () => {
  it("subscribes and acknowledges with the full set of topics", async () => {
    const connections = new InMemoryConnectionStore();
    const gateway = new RecordingGateway();
    await handleClientMessage("c1", JSON.stringify({ type: "subscribe", subscriptions: ["tasks"] }), {
      connections,
      gateway,
      clock,
    });
    await handleClientMessage("c1", JSON.stringify({ type: "subscribe", subscriptions: ["alerts", "tasks"] }), {
      connections,
      gateway,
      clock,
    });
    expect(gateway.sentTo("c1").at(-1)).toEqual({
      type: "subscribed",
      timestamp: "2026-11-23T10:00:00.000Z",
      data: { subscriptions: ["tasks", "alerts"] },
    });
    expect(await connections.subscribers("alerts")).toEqual(["c1"]);
  });

  it("unsubscribes", async () => {
    const connections = new InMemoryConnectionStore();
    const gateway = new RecordingGateway();
    await connections.subscribe("c1", ["tasks", "alerts"]);
    await handleClientMessage("c1", JSON.stringify({ type: "unsubscribe", subscriptions: ["tasks"] }), {
      connections,
      gateway,
      clock,
    });
    expect(await connections.subscribers("tasks")).toEqual([]);
    expect(gateway.sentTo("c1")).toEqual([
      expect.objectContaining({ type: "unsubscribed", data: { subscriptions: ["alerts"] } }),
    ]);
  });

  it("answers ping with pong, echoing its id", async () => {
    const gateway = new RecordingGateway();
    await handleClientMessage("c1", JSON.stringify({ type: "ping", id: "p1" }), {
      connections: new InMemoryConnectionStore(),
      gateway,
      clock,
    });
    expect(gateway.sentTo("c1")).toEqual([{ type: "pong", timestamp: "2026-11-23T10:00:00.000Z", data: { id: "p1" } }]);
  });

  it("answers a bad frame with an error frame and changes nothing", async () => {
    const connections = new InMemoryConnectionStore();
    const gateway = new RecordingGateway();
    await connections.subscribe("c1", ["tasks"]);
    await handleClientMessage("c1", JSON.stringify({ type: "subscribe", subscriptions: [] }), { connections, gateway, clock });
    expect(gateway.sentTo("c1")).toEqual([
      expect.objectContaining({ type: "error", data: expect.objectContaining({ code: "invalid_field" }) }),
    ]);
    expect(await connections.topicsOf("c1")).toEqual(["tasks"]);
  });
});
