import type { ClientMessage, ReplayFrameData, ServerEvent, Topic } from "#realtime/published/protocol";
import { type BackoffPolicy, RECONNECT_BACKOFF, reconnectDelay } from "./backoff";
import { FrameAssembler, parseFrame, SeqTracker } from "./frames";

/** Every wait the connection makes has one of these timers, so none can hang. */
type TimerName = "open" | "subscribe" | "ping" | "pong" | "replay" | "reconnect";

/** What the connection indicator shows. */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "stopped";

export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
}
export interface SocketHandle {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
/** Opens a WebSocket; a port so the connection logic runs in Node tests against a fake server. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketHandle;

/** The browser's WebSocket behind `OpenSocket`. */
export const browserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (message) => {
    if (typeof message.data === "string") handlers.onMessage(message.data);
  };
  // `error` is always followed by `close`, which is where reconnecting starts.
  socket.onclose = (event) => handlers.onClose(event.code, event.reason);
  return { send: (text) => socket.send(text), close: (code, reason) => socket.close(code, reason) };
};

export interface LiveConnectionOptions {
  /** The WebSocket URL without the token, e.g. `wss://…/prod`. */
  readonly url: string;
  /** The current access token, or undefined once it has expired (the connection then stops). */
  readonly token: () => string | undefined;
  readonly onEvent: (event: ServerEvent) => void;
  readonly onStatus: (status: ConnectionStatus, detail: string) => void;
  /** Called after every subscribe; `resumed` after a reconnect, e.g. to reload snapshots the events build on. */
  readonly onSubscribed?: (resumed: boolean) => void;
  readonly log?: (line: string) => void;
  readonly openSocket?: OpenSocket;
  readonly subscriptions?: readonly Topic[];
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => number;
  /** The socket must open within this. @default 10000 */
  readonly openTimeoutMs?: number;
  /** The server must acknowledge the subscription within this. @default 10000 */
  readonly subscribeTimeoutMs?: number;
  /** A ping goes out this often while live. @default 30000 */
  readonly pingIntervalMs?: number;
  /** A ping unanswered for this long means the connection is dead, even if it was never closed. @default 10000 */
  readonly pongTimeoutMs?: number;
  /** Each replay frame must arrive within this of the request or the previous frame. @default 15000 */
  readonly replayTimeoutMs?: number;
  /** Follow-up requests for a truncated replay before giving up on the gap. @default 20 */
  readonly maxReplayRounds?: number;
}

/**
 * The dashboard's one WebSocket: connects with `?token=`, subscribes, keeps the connection
 * honest with pings, and after any drop reconnects (capped, jittered backoff), subscribes again
 * and replays what it missed from the last `seq` it saw. Events reach `onEvent` once each, in
 * the order received; `frame_part` frames are joined before anything else looks at them.
 *
 *   open ─► subscribe ─► subscribed ─► live ──► ping … pong … ping …
 *     │ timeout    │ timeout              │ close / no pong
 *     └────────────┴──────► reconnecting (wait 0.5 s, 1 s, 2 s … ≤ 15 s) ─► open ─► … ─► replay sinceSeq
 *
 * @example
 * const live = new LiveConnection({ url, token: () => session.accessToken, onEvent: apply, onStatus: show });
 * live.start();
 */
export class LiveConnection {
  private readonly tracker = new SeqTracker();
  private readonly assembler = new FrameAssembler();
  private readonly openSocket: OpenSocket;
  private readonly now: () => number;
  private socket: SocketHandle | undefined;
  /** Bumped for every socket, so callbacks of a socket we gave up on are ignored. */
  private generation = 0;
  private attempt = 0;
  private status: ConnectionStatus = "stopped";
  private everLive = false;
  private readonly timers = new Map<TimerName, ReturnType<typeof setTimeout>>();
  private replay: { rounds: number } | undefined;
  /** When the first subscription was answered (server time): where a replay by time starts. */
  private liveSince: string | undefined;
  private pingCount = 0;

  constructor(private readonly options: LiveConnectionOptions) {
    this.openSocket = options.openSocket ?? browserSocket;
    this.now = options.now ?? Date.now;
  }

  /** The greatest event `seq` applied so far: where a replay resumes. */
  get lastSeq(): number | undefined {
    return this.tracker.lastSeq;
  }

  get currentStatus(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (this.status !== "stopped") return;
    this.connect();
  }

  /** Closes the socket for good (sign-out); no reconnect follows. */
  stop(detail = "signed out"): void {
    this.generation++;
    this.clearTimers();
    this.socket?.close(1000, detail);
    this.socket = undefined;
    this.replay = undefined;
    this.setStatus("stopped", detail);
  }

  /** Drops the current socket and reconnects as after any other drop. */
  reconnectNow(reason: string): void {
    if (this.status === "stopped") return;
    this.drop(reason);
  }

  private connect(): void {
    const token = this.options.token();
    if (!token) {
      this.stop("session expired");
      return;
    }
    const generation = ++this.generation;
    this.setStatus(this.everLive ? "reconnecting" : "connecting", this.attempt > 0 ? `attempt ${this.attempt + 1}` : "opening");
    const current = () => generation === this.generation;
    const url = `${this.options.url}${this.options.url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    this.socket = this.openSocket(url, {
      onOpen: () => current() && this.opened(),
      onMessage: (text) => current() && this.received(text),
      onClose: (code, reason) => current() && this.drop(`closed (${code}${reason ? ` ${reason}` : ""})`),
    });
    this.setTimer("open", this.options.openTimeoutMs ?? 10_000, () => this.drop("the socket did not open in time"));
  }

  private opened(): void {
    this.clearTimer("open");
    this.send({ type: "subscribe", subscriptions: [...(this.options.subscriptions ?? ["all"])] });
    this.setTimer("subscribe", this.options.subscribeTimeoutMs ?? 10_000, () => this.drop("no answer to subscribe"));
  }

  private received(text: string): void {
    const frame = parseFrame(text);
    switch (frame.kind) {
      case "frame_part": {
        const whole = this.assembler.accept(frame.part, this.now());
        if (whole !== undefined) this.received(whole);
        return;
      }
      case "event":
        this.apply(frame.event);
        return;
      case "batch":
        // Several events in one frame, in seq order: each is applied as if it came alone.
        for (const event of frame.events) this.apply(event);
        return;
      case "replay":
        this.replayed(frame.replay);
        return;
      case "error":
        this.log(`server error ${frame.code}: ${frame.message}`);
        // A server without replay (or one that refuses this request) answers with an error: the
        // gap stays, but waiting for frames that will not come helps nobody.
        if (this.replay && /replay|sinceSeq|unknown_type|invalid_field/.test(`${frame.code} ${frame.message}`)) this.endReplay();
        return;
      case "control":
        if (frame.type === "subscribed") this.subscribed(frame.timestamp);
        else if (frame.type === "pong") this.clearTimer("pong");
        return;
      case "invalid":
        this.log(`ignored a frame: ${frame.reason}`);
        return;
    }
  }

  private subscribed(at: string | undefined): void {
    this.clearTimer("subscribe");
    const resumed = this.everLive;
    this.attempt = 0;
    this.everLive = true;
    // The server's clock, not ours: a replay by time compares with the events' server timestamps.
    this.liveSince ??= at;
    this.setStatus("live", resumed ? "reconnected" : "connected");
    this.schedulePing();
    const since = this.tracker.lastSeq;
    if (resumed && since !== undefined) this.requestReplay({ sinceSeq: since }, 0);
    // Live, but no event seen yet: what was published while away is found by time instead.
    else if (resumed && this.liveSince) this.requestReplay({ sinceTime: this.liveSince }, 0);
    this.options.onSubscribed?.(resumed);
  }

  private apply(event: ServerEvent): void {
    if (this.tracker.accept(event.seq)) this.options.onEvent(event);
  }

  private requestReplay(since: { sinceSeq: number } | { sinceTime: string }, rounds: number): void {
    this.replay = { rounds };
    this.send({ type: "replay", ...since });
    this.setTimer("replay", this.options.replayTimeoutMs ?? 15_000, () => {
      this.log(`replay from ${JSON.stringify(since)} got no answer in time; events in the gap stay missing`);
      this.endReplay();
    });
  }

  private replayed(data: ReplayFrameData): void {
    for (const event of [...data.events].sort((a, b) => a.seq - b.seq)) this.apply(event);
    if (!this.replay) return;
    if (!data.last) {
      this.setTimer("replay", this.options.replayTimeoutMs ?? 15_000, () => this.endReplay());
      return;
    }
    this.tracker.advanceTo(data.throughSeq);
    const rounds = this.replay.rounds + 1;
    this.endReplay();
    if (data.truncated) {
      if (rounds < (this.options.maxReplayRounds ?? 20)) this.requestReplay({ sinceSeq: data.throughSeq }, rounds);
      else this.log(`replay still truncated after ${rounds} rounds; older events in the gap stay missing`);
    }
  }

  private endReplay(): void {
    this.replay = undefined;
    this.clearTimer("replay");
  }

  private schedulePing(): void {
    this.setTimer("ping", this.options.pingIntervalMs ?? 30_000, () => {
      this.send({ type: "ping", id: `p${++this.pingCount}` });
      this.setTimer("pong", this.options.pongTimeoutMs ?? 10_000, () => this.drop("no pong: the connection is dead"));
      this.schedulePing();
    });
  }

  private drop(reason: string): void {
    if (this.status === "stopped") return;
    this.generation++;
    this.clearTimers();
    this.assembler.clear();
    this.replay = undefined;
    try {
      this.socket?.close(4000, "reconnecting");
    } catch {
      // already closed
    }
    this.socket = undefined;
    const delay = reconnectDelay(this.attempt++, this.options.backoff ?? RECONNECT_BACKOFF, this.options.random);
    this.setStatus(this.everLive ? "reconnecting" : "connecting", `${reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.setTimer("reconnect", delay, () => this.connect());
  }

  private send(message: ClientMessage): void {
    try {
      this.socket?.send(JSON.stringify(message));
    } catch (error) {
      this.drop(`send failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private setStatus(status: ConnectionStatus, detail: string): void {
    this.status = status;
    this.options.onStatus(status, detail);
  }

  private setTimer(name: TimerName, ms: number, run: () => void): void {
    this.clearTimer(name);
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        run();
      }, ms),
    );
  }

  private clearTimer(name: TimerName): void {
    const timer = this.timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(name);
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private log(line: string): void {
    this.options.log?.(`[live] ${line}`);
  }
}
