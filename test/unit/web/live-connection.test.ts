import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerEvent } from "#realtime/published/protocol";
import { type ConnectionStatus, LiveConnection, type OpenSocket, type SocketHandlers } from "../../../web/src/live-connection";

/** One socket the connection opened: what it sent, and levers to play the server. */
class FakeSocket {
  readonly sent: Record<string, unknown>[] = [];
  closed: { code?: number } | undefined;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  open() {
    this.handlers.onOpen();
  }
  receive(frame: unknown) {
    this.handlers.onMessage(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  serverClose(code = 1006) {
    this.handlers.onClose(code, "");
  }
  /** Opens and acknowledges the subscription, as a healthy server does. */
  accept() {
    this.open();
    this.receive({ type: "subscribed", timestamp: "t", data: { subscriptions: ["all"] } });
  }
  sentOfType(type: string) {
    return this.sent.filter((message) => message.type === type);
  }
}

const taskEvent = (seq: number, taskId = `t${seq}`): ServerEvent => ({
  type: "task_update",
  seq,
  timestamp: "2025-06-01T12:00:00.000Z",
  data: { taskId },
});

let sockets: FakeSocket[];
let events: ServerEvent[];
let statuses: ConnectionStatus[];
let token: string | undefined;
const openSocket: OpenSocket = (url, handlers) => {
  const socket = new FakeSocket(url, handlers);
  sockets.push(socket);
  return {
    send: (text) => socket.sent.push(JSON.parse(text) as Record<string, unknown>),
    close: (code) => {
      socket.closed = { code };
    },
  };
};
const latest = () => sockets.at(-1) as FakeSocket;

function connection(overrides: Partial<ConstructorParameters<typeof LiveConnection>[0]> = {}) {
  return new LiveConnection({
    url: "wss://ws.example/prod",
    token: () => token,
    onEvent: (event) => events.push(event),
    onStatus: (status) => statuses.push(status),
    openSocket,
    random: () => 0.5,
    ...overrides,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  events = [];
  statuses = [];
  token = "token/with+chars";
});
afterEach(() => vi.useRealTimers());

describe("LiveConnection", () => {
  it("connects with the token in the query, subscribes to everything, and goes live when acknowledged", () => {
    // WHEN it starts and the server accepts
    const live = connection();
    live.start();
    expect(latest().url).toBe("wss://ws.example/prod?token=token%2Fwith%2Bchars");
    expect(statuses).toEqual(["connecting"]);
    latest().open();
    // THEN it subscribed to `all`, and is live only once the server said so
    expect(latest().sent).toEqual([{ type: "subscribe", subscriptions: ["all"] }]);
    expect(live.currentStatus).toBe("connecting");
    latest().receive({ type: "subscribed", timestamp: "t", data: {} });
    expect(live.currentStatus).toBe("live");
  });

  it("applies each event once, however often it arrives", () => {
    const live = connection();
    live.start();
    latest().accept();
    for (const seq of [1, 2, 2, 3, 1]) latest().receive(taskEvent(seq));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(live.lastSeq).toBe(3);
  });

  it("joins frame_part frames into the event they carry", () => {
    const live = connection();
    live.start();
    latest().accept();
    const text = JSON.stringify(taskEvent(9, "big"));
    const half = Math.floor(text.length / 2);
    latest().receive({ type: "frame_part", timestamp: "t", data: { id: "p", index: 1, count: 2, chunk: text.slice(half) } });
    expect(events).toEqual([]);
    latest().receive({ type: "frame_part", timestamp: "t", data: { id: "p", index: 0, count: 2, chunk: text.slice(0, half) } });
    expect(events).toEqual([taskEvent(9, "big")]);
  });

  it("after a drop, reconnects with backoff, subscribes again and replays from the last seq it saw", () => {
    // GIVEN a live connection that has seen events up to seq 7
    const onSubscribed = vi.fn();
    const live = connection({ onSubscribed });
    live.start();
    latest().accept();
    expect(onSubscribed).toHaveBeenLastCalledWith(false);
    latest().receive(taskEvent(5));
    latest().receive(taskEvent(7));
    // WHEN the server drops it
    latest().serverClose();
    // THEN it waits out the first backoff (ceiling 500 ms, draw 0.5 → 375 ms) before reconnecting
    expect(live.currentStatus).toBe("reconnecting");
    vi.advanceTimersByTime(374);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    // …re-subscribes, and once subscribed asks for what it missed (and says it resumed)
    latest().accept();
    expect(onSubscribed).toHaveBeenLastCalledWith(true);
    expect(latest().sent).toEqual([
      { type: "subscribe", subscriptions: ["all"] },
      { type: "replay", sinceSeq: 7 },
    ]);
    // …and applies the replay, skipping what it already had
    latest().receive({
      type: "replay",
      timestamp: "t",
      data: { events: [taskEvent(8), taskEvent(7), taskEvent(6)], last: true, truncated: false, throughSeq: 8 },
    });
    expect(events.map((e) => e.seq)).toEqual([5, 7, 6, 8]);
    expect(live.lastSeq).toBe(8);
    expect(live.currentStatus).toBe("live");
  });

  it("after a drop before any event arrived, replays by time from when it first went live (server time)", () => {
    // GIVEN a connection that went live at the server's 10:00:00 and has seen no event
    connection().start();
    latest().open();
    latest().receive({ type: "subscribed", timestamp: "2026-12-01T10:00:00.000Z", data: {} });
    // WHEN it drops and comes back
    latest().serverClose();
    vi.advanceTimersByTime(1_000);
    latest().open();
    latest().receive({ type: "subscribed", timestamp: "2026-12-01T10:00:09.000Z", data: {} });
    // THEN what was published meanwhile is asked for by time, from the first subscription on
    expect(latest().sent).toEqual([
      { type: "subscribe", subscriptions: ["all"] },
      { type: "replay", sinceTime: "2026-12-01T10:00:00.000Z" },
    ]);
  });

  it("asks again from throughSeq while a replay is truncated", () => {
    const live = connection();
    live.start();
    latest().accept();
    latest().receive(taskEvent(1));
    latest().serverClose();
    vi.advanceTimersByTime(1_000);
    latest().accept();
    // Two frames make up the first answer; only the last one ends it.
    latest().receive({
      type: "replay",
      timestamp: "t",
      data: { events: [taskEvent(2)], last: false, truncated: true, throughSeq: 3 },
    });
    latest().receive({
      type: "replay",
      timestamp: "t",
      data: { events: [taskEvent(3)], last: true, truncated: true, throughSeq: 3 },
    });
    latest().receive({
      type: "replay",
      timestamp: "t",
      data: { events: [taskEvent(4)], last: true, truncated: false, throughSeq: 4 },
    });
    expect(latest().sentOfType("replay")).toEqual([
      { type: "replay", sinceSeq: 1 },
      { type: "replay", sinceSeq: 3 },
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("gives up waiting for a replay the server refuses, and stays live", () => {
    const log = vi.fn();
    const live = connection({ log });
    live.start();
    latest().accept();
    latest().receive(taskEvent(1));
    latest().serverClose();
    vi.advanceTimersByTime(1_000);
    latest().accept();
    latest().receive({ type: "error", timestamp: "t", data: { code: "unknown_type", message: 'unknown message type "replay"' } });
    // Past the replay timeout (15 s), short of the first ping (30 s).
    vi.advanceTimersByTime(20_000);
    expect(live.currentStatus).toBe("live");
    expect(log).toHaveBeenCalledWith(expect.stringContaining("unknown_type"));
    // It stopped waiting on the error, not on the timeout.
    expect(log).not.toHaveBeenCalledWith(expect.stringContaining("no answer in time"));
  });

  it("detects a connection that died without closing: no pong, so it reconnects", () => {
    // GIVEN a live connection whose server stops answering (no close frame ever comes)
    const live = connection({ pingIntervalMs: 30_000, pongTimeoutMs: 10_000 });
    live.start();
    latest().accept();
    // WHEN the ping goes unanswered
    vi.advanceTimersByTime(30_000);
    expect(latest().sentOfType("ping")).toHaveLength(1);
    vi.advanceTimersByTime(9_999);
    expect(live.currentStatus).toBe("live");
    vi.advanceTimersByTime(1);
    // THEN the socket is abandoned and a new one opened after the backoff
    expect(live.currentStatus).toBe("reconnecting");
    expect(sockets[0]?.closed).toBeDefined();
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });

  it("stays live while pongs come back", () => {
    const live = connection({ pingIntervalMs: 1_000, pongTimeoutMs: 500 });
    live.start();
    latest().accept();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1_000);
      const ping = latest().sentOfType("ping").at(-1);
      latest().receive({ type: "pong", timestamp: "t", data: { id: ping?.id } });
    }
    vi.advanceTimersByTime(400);
    expect(live.currentStatus).toBe("live");
    expect(sockets).toHaveLength(1);
  });

  it("times out every wait: an open that never completes, a subscribe never acknowledged", () => {
    const live = connection({ openTimeoutMs: 2_000, subscribeTimeoutMs: 3_000 });
    live.start();
    vi.advanceTimersByTime(2_000);
    expect(live.currentStatus).toBe("connecting");
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    latest().open();
    vi.advanceTimersByTime(3_000);
    expect(latest().closed).toBeDefined();
    vi.advanceTimersByTime(1_000);
    expect(sockets).toHaveLength(3);
  });

  it("backs off further with each failure, up to the cap, and starts over once live", () => {
    const live = connection({ backoff: { baseMs: 100, capMs: 1_000 }, random: () => 1 });
    live.start();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      latest().serverClose();
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    latest().accept();
    latest().serverClose();
    vi.advanceTimersByTime(100);
    expect(live.currentStatus).toBe("reconnecting");
    expect(sockets).toHaveLength(8);
  });

  it("ignores a socket it has given up on", () => {
    const live = connection({ subscribeTimeoutMs: 1_000 });
    live.start();
    const first = latest();
    first.open();
    vi.advanceTimersByTime(1_000 + 500);
    latest().accept();
    // The abandoned socket's late frames and close change nothing.
    first.receive(taskEvent(1));
    first.serverClose();
    expect(events).toEqual([]);
    expect(live.currentStatus).toBe("live");
  });

  it("stops instead of reconnecting once the token has expired", () => {
    const live = connection();
    live.start();
    latest().accept();
    token = undefined;
    latest().serverClose();
    vi.advanceTimersByTime(20_000);
    expect(sockets).toHaveLength(1);
    expect(live.currentStatus).toBe("stopped");
  });

  it("stop() closes the socket and never reconnects", () => {
    const live = connection();
    live.start();
    latest().accept();
    live.stop();
    expect(latest().closed).toEqual({ code: 1000 });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe("stopped");
  });
});
