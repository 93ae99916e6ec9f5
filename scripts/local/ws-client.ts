// A dashboard client for scripts and tests: connect with a token, subscribe, wait for frames.
import WebSocket from "ws";

export interface Frame {
  readonly type: string;
  readonly seq?: number;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

/** A dashboard client: connects with `?token=`, records every frame, and waits for the ones a test needs. */
export class WsClient {
  readonly frames: Frame[] = [];
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
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

  close(): void {
    this.socket.close();
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`the WebSocket handshake was refused (${status})`);
    this.name = "HandshakeRefused";
  }
}
