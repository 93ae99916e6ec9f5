// A dashboard client for scripts and tests: connect with a token, subscribe, wait for frames.
import WebSocket from "ws";
import { eventsOfFrame, type FramePartData } from "#realtime/published/protocol";
import { joinFrameParts } from "#realtime/domain/frames";

export interface Frame {
  readonly type: string;
  readonly seq?: number;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

/**
 * A dashboard client (and the sample client of the protocol): connects with `?token=`, records
 * every frame (joining `frame_part`s back into the frame they were cut from, and unpacking a
 * `batch` frame into the events it carries, in order), and waits for the ones a test needs.
 */
export class WsClient {
  /** Every event and control frame, in the order received; a `batch` frame's events in its place. */
  readonly frames: Frame[] = [];
  /** The frames as they came over the socket (parts joined, batches not unpacked). */
  readonly received: Frame[] = [];
  /** How many `frame_part` frames arrived, for tests of oversize delivery. */
  partsReceived = 0;
  private readonly parts = new Map<string, FramePartData[]>();
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (raw) => {
      const received = JSON.parse(raw.toString()) as Frame;
      const frame = received.type === "frame_part" ? this.joinPart(received.data as unknown as FramePartData) : received;
      if (!frame) return;
      this.received.push(frame);
      for (const one of frame.type === "batch" ? (eventsOfFrame(frame) as Frame[]) : [frame]) this.deliver(one);
    });
  }

  /** Opens a connection; rejects with the HTTP status if the handshake is refused. */
  static connect(url: string, token: string | undefined, timeoutMs = 10_000): Promise<WsClient> {
    const socket = new WebSocket(token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no handshake within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("open", () => {
        clearTimeout(timer);
        resolve(new WsClient(socket));
      });
      socket.once("unexpected-response", (_request, response) => {
        clearTimeout(timer);
        reject(new HandshakeRefused(response.statusCode ?? 0));
      });
      socket.once("close", (code) => {
        clearTimeout(timer);
        reject(new HandshakeRefused(code));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private deliver(frame: Frame): void {
    this.frames.push(frame);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(frame)) return true;
      waiter.resolve(frame);
      return false;
    });
  }

  private joinPart(part: FramePartData): Frame | undefined {
    this.partsReceived++;
    const parts = [...(this.parts.get(part.id) ?? []), part];
    if (parts.length < part.count) {
      this.parts.set(part.id, parts);
      return undefined;
    }
    this.parts.delete(part.id);
    return JSON.parse(joinFrameParts(parts)) as Frame;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first frame (already received or still to come) matching `predicate`. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 15_000, what = "a frame"): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  async subscribe(topics: string[]): Promise<Frame> {
    const before = this.frames.length;
    this.send({ type: "subscribe", subscriptions: topics });
    return this.waitFor((frame) => frame.type === "subscribed" && this.frames.indexOf(frame) >= before, 10_000, "subscribed");
  }

  /** The id API Gateway gave this connection (the server says it in `pong`). */
  async connectionId(): Promise<string> {
    const id = `whoami-${Math.random()}`;
    this.send({ type: "ping", id });
    const pong = await this.waitFor((frame) => frame.type === "pong" && frame.data.id === id, 10_000, "pong");
    return String(pong.data.connectionId);
  }

  close(): void {
    this.socket.close();
  }

  /** Drops the connection without a close frame, as a crashed client or a lost network does. */
  terminate(): void {
    this.socket.terminate();
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`the WebSocket handshake was refused (${status})`);
    this.name = "HandshakeRefused";
  }
}
