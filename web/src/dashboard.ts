import type { ServerEvent } from "#realtime/published/protocol";
import { DECIDER_ROLES, type Decision, decisionPath } from "#optimization/published/decisions";
import {
  METRICS_WINDOWS,
  type MetricsWindow,
  pointOf,
  type SystemPoint,
  SystemMetricsView,
  systemMetricsView,
} from "#monitoring/published/system-metrics";
import { MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
import { getJson, postJson, SessionExpiredError } from "./api";
import { isExpired, refreshSession, renewAt, type Session } from "./auth";
import type { DashboardConfig } from "./config";
import { LiveConnection } from "./live-connection";
import { renderAgents } from "./panels/agents";
import { renderAlerts } from "./panels/alerts";
import { renderApprovals } from "./panels/approvals";
import { renderConnection } from "./panels/connection";
import { renderCoordination } from "./panels/coordination";
import { renderDetections } from "./panels/detections";
import { renderJobs } from "./panels/jobs";
import { SystemCharts } from "./panels/system-charts";
import { renderOptimizations } from "./panels/optimizations";
import { renderQueues } from "./panels/queues";
import { renderTasks } from "./panels/tasks";
import { mayCall, rolesOf } from "./roles";
import {
  CoordinationEventPage,
  DecidedOptimization,
  DetectionPage,
  EventHistory,
  FleetSnapshot,
  LockList,
  PendingOptimizationPage,
  QueueSnapshot,
  TaskPage,
} from "./schemas";
import {
  applyConflicts,
  applyDetections,
  applyEvent,
  applyLockList,
  applyFleetSnapshot,
  applyPendingApprovals,
  applyQueueSnapshot,
  applyTaskPage,
  type DashboardState,
  initialState,
  settleApproval,
} from "./state";

export interface DashboardElements {
  readonly connection: HTMLElement;
  readonly agents: HTMLElement;
  readonly queues: HTMLElement;
  readonly tasks: HTMLElement;
  readonly alerts: HTMLElement;
  readonly optimizations: HTMLElement;
  readonly approvals: HTMLElement;
  readonly detections: HTMLElement;
  readonly coordination: HTMLElement;
  readonly jobs: HTMLElement;
  readonly metrics: HTMLElement;
  readonly notices: HTMLElement;
}

/** Queue figures older than this are fetched again when no `metrics` event has brought newer ones. */
const QUEUE_REFRESH_MS = 30_000;
/** The system charts follow each `metrics` event (a minute apart); without events, they are fetched this often. */
const SYSTEM_METRICS_REFRESH_MS = 60_000;

/**
 * Runs the panels for one signed-in session: snapshots from the HTTP API, then live events.
 * Returns a function that stops it (sign-out).
 */
export function startDashboard(
  config: DashboardConfig,
  signedIn: Session,
  elements: DashboardElements,
  onSessionExpired: () => void,
  onSessionRenewed: (session: Session) => void = () => undefined,
): () => void {
  let session = signedIn;
  let state: DashboardState = initialState();
  let frame: number | undefined;
  let stopped = false;
  const notices = new Map<string, string>();
  // The same roles the API checks on approve and reject; the page only uses them to show the buttons.
  const canDecide = mayCall(rolesOf(session.accessToken), DECIDER_ROLES);
  const deciding = new Set<string>();

  const render = () => {
    frame = undefined;
    renderAgents(elements.agents, state);
    renderQueues(elements.queues, state);
    renderTasks(elements.tasks, state);
    renderAlerts(elements.alerts, state);
    renderOptimizations(elements.optimizations, state);
    renderApprovals(elements.approvals, state, { canDecide, deciding, onDecide: decide });
    renderDetections(elements.detections, state);
    renderCoordination(elements.coordination, state);
    renderJobs(elements.jobs, state);
    const lines = [...notices.values()];
    if (state.unreadable > 0) lines.push(`${state.unreadable} event(s) could not be read and were skipped.`);
    elements.notices.textContent = lines.join(" ");
    elements.notices.hidden = lines.length === 0;
  };
  // Events can come in bursts (a replay brings up to 500); draw once per frame, not once per event.
  const update = (next: DashboardState) => {
    state = next;
    frame ??= requestAnimationFrame(render);
  };

  const expire = () => {
    if (stopped) return;
    stop();
    onSessionExpired();
  };

  const load = <T>(what: string, read: () => Promise<T>, apply: (value: T) => DashboardState) =>
    read().then(
      (value) => {
        notices.delete(what);
        update(apply(value));
      },
      (error: unknown) => {
        if (error instanceof SessionExpiredError) return expire();
        notices.set(what, `Could not load ${what}: ${error instanceof Error ? error.message : String(error)}.`);
        update(state);
      },
    );
  const loadQueues = () =>
    load(
      "queues",
      () => getJson(config, session.accessToken, "/api/tasks/queue", QueueSnapshot),
      (q) => applyQueueSnapshot(state, q),
    );
  // Events carry changes; these snapshots carry what happened before the page opened (or while
  // it was away, when a replay cannot cover it). Reducers merge by version, so order does not matter.
  const loadSnapshots = () => {
    void load(
      "agents",
      () => getJson(config, session.accessToken, "/api/agents/status", FleetSnapshot),
      (f) => applyFleetSnapshot(state, f),
    );
    void loadQueues();
    void load(
      "tasks",
      () => getJson(config, session.accessToken, "/api/tasks?limit=25", TaskPage),
      (p) => applyTaskPage(state, p.items),
    );
    void load(
      "detections",
      () => getJson(config, session.accessToken, "/api/detections?limit=20", DetectionPage),
      (p) => applyDetections(state, p.items),
    );
    void load(
      "locks",
      () => getJson(config, session.accessToken, "/api/coordination/locks", LockList),
      (l) =>
        applyLockList(
          state,
          l.locks.flatMap((lock) => [...(lock.exclusive ? [lock.exclusive] : []), ...lock.shared]),
        ),
    );
    void load(
      "conflicts",
      () => getJson(config, session.accessToken, "/api/coordination/conflicts?limit=20", CoordinationEventPage),
      (p) => applyConflicts(state, p.events),
    );
    void loadPending();
    // Alerts, proposals and job progress have no list of their own here: the dashboard's event history is it.
    for (const topic of ["alerts", "optimizations", "jobs"] as const) {
      void load(
        topic,
        () => getJson(config, session.accessToken, `/api/websocket/event-history?topic=${topic}&limit=20`, EventHistory),
        (h) => h.events.reduce(applyEvent, state),
      );
    }
  };

  const loadPending = () =>
    load(
      "approvals",
      () => getJson(config, session.accessToken, "/api/optimizations?status=pending&limit=50", PendingOptimizationPage),
      (p) =>
        applyPendingApprovals(
          state,
          p.items.map((item) => ({
            recommendationId: item.recommendationId,
            title: item.title,
            target: item.target,
            fromVersion: item.baseVersion,
            risk: item.risk?.level ?? item.severity,
            summary: [],
            ...(item.approvalDeadline ? { approvalDeadline: item.approvalDeadline } : {}),
          })),
        ),
    );

  function decide(recommendationId: string, decision: Decision): void {
    if (deciding.has(recommendationId)) return;
    deciding.add(recommendationId);
    update(state);
    postJson(config, session.accessToken, decisionPath(decision, recommendationId), {}, DecidedOptimization).then(
      (decided) => {
        deciding.delete(recommendationId);
        notices.set("decision", `${decided.decision ?? decision} ${recommendationId}: the pipeline goes on.`);
        update(settleApproval(state, recommendationId));
      },
      (error: unknown) => {
        deciding.delete(recommendationId);
        if (error instanceof SessionExpiredError) return expire();
        notices.set(
          "decision",
          `Could not ${decision} ${recommendationId}: ${error instanceof Error ? error.message : String(error)}.`,
        );
        // Someone else may have decided, or the window closed: show the list as it is now.
        void loadPending();
      },
    );
  }

  let metricsWindow: MetricsWindow = "1h";
  let metricsLoadedAt = 0;
  // Points the `metrics` frames brought (the last hour's): charted at once, and merged into each
  // minute-resolution view fetched, since the history keeps a snapshot a moment after its frame.
  let framed: SystemPoint[] = [];
  // The minute-resolution series on the charts now, which a new frame's point is added to.
  let shownSeries: readonly SystemPoint[] = [];
  const showMerged = (series: readonly SystemPoint[], newest?: string) => {
    const known = new Set(series.map((point) => point.at));
    const merged = [...series, ...framed.filter((point) => !known.has(point.at))];
    // The window ends at the newer of this clock and the newest snapshot's, so a browser clock behind the server's keeps it.
    const now = new Date(Math.max(Date.now(), newest ? Date.parse(newest) : 0));
    const view = systemMetricsView(merged, metricsWindow, now);
    shownSeries = view.series;
    charts.show(view);
  };
  const loadSystemMetrics = () => {
    metricsLoadedAt = Date.now();
    getJson(config, session.accessToken, `/api/metrics/system?window=${metricsWindow}`, SystemMetricsView).then(
      (view) => {
        if (stopped || view.window !== metricsWindow) return;
        if (view.resolutionSeconds === 60) showMerged(view.series, framed.at(-1)?.at);
        else charts.show(view);
      },
      (error: unknown) => {
        if (error instanceof SessionExpiredError) return expire();
        charts.fail(`Could not load the system metrics: ${error instanceof Error ? error.message : String(error)}.`);
      },
    );
  };
  const chartSnapshot = (data: unknown) => {
    const snapshot = MetricsSnapshot.safeParse(data);
    if (!snapshot.success) return loadSystemMetrics();
    const point = pointOf(snapshot.data);
    const hourAgo = new Date(Date.parse(point.at) - 60 * 60_000).toISOString();
    framed = [...framed.filter((known) => known.at !== point.at && known.at > hourAgo), point];
    // A day's view is folded by the server: fetch it again rather than mix a raw point into it.
    if (METRICS_WINDOWS[metricsWindow].resolutionSeconds !== 60) return loadSystemMetrics();
    metricsLoadedAt = Date.now();
    showMerged(shownSeries, point.at);
  };
  const charts = new SystemCharts(
    elements.metrics,
    Object.keys(METRICS_WINDOWS),
    (window) => {
      metricsWindow = window as MetricsWindow;
      loadSystemMetrics();
    },
    metricsWindow,
  );

  const live = new LiveConnection({
    url: config.webSocketUrl,
    token: () => (isExpired(session) ? undefined : session.accessToken),
    onEvent: (event: ServerEvent) => {
      update(applyEvent(state, event));
      if (event.type === "metrics") chartSnapshot(event.data);
    },
    onStatus: (status, detail) => {
      renderConnection(elements.connection, status, detail);
      if (status === "stopped" && detail === "session expired") expire();
    },
    // After a drop, the snapshots cover what a replay cannot (events older than its history).
    onSubscribed: (resumed) => {
      if (resumed) loadSnapshots();
    },
    log: (line) => console.info(line),
  });

  const queueTimer = setInterval(() => {
    const asOf = state.queues.asOf ? Date.parse(state.queues.asOf) : 0;
    if (live.currentStatus === "live" && Date.now() - asOf > QUEUE_REFRESH_MS) void loadQueues();
  }, QUEUE_REFRESH_MS / 3);
  const metricsTimer = setInterval(() => {
    if (Date.now() - metricsLoadedAt >= SYSTEM_METRICS_REFRESH_MS) loadSystemMetrics();
  }, SYSTEM_METRICS_REFRESH_MS / 4);
  // The token is renewed before it expires; if renewal keeps failing, the session ends when the token does.
  let expiryTimer = setTimeout(expire, Math.max(0, session.expiresAt - Date.now()));
  let renewalTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleRenewal = (at: number) => {
    if (stopped || !session.refreshToken) return;
    renewalTimer = setTimeout(
      () => {
        refreshSession(config, session).then(
          (renewed) => {
            if (stopped) return;
            session = renewed;
            notices.delete("session");
            clearTimeout(expiryTimer);
            clearTimeout(renewalTimer);
            expiryTimer = setTimeout(expire, Math.max(0, session.expiresAt - Date.now()));
            onSessionRenewed(renewed);
            // The server ends a connection when the token it opened with expires: open one with the new token now.
            live.reconnectNow("token renewed");
            scheduleRenewal(renewAt(renewed));
          },
          (error: unknown) => {
            if (stopped) return;
            notices.set(
              "session",
              `Could not renew your session (${error instanceof Error ? error.message : String(error)}); retrying.`,
            );
            update(state);
            // Until the token expires: then the expiry timer signs the page out.
            if (Date.now() + 30_000 < session.expiresAt) scheduleRenewal(Date.now() + 30_000);
          },
        );
      },
      Math.max(0, at - Date.now()),
    );
  };
  scheduleRenewal(renewAt(session));

  function stop() {
    stopped = true;
    clearInterval(queueTimer);
    clearInterval(metricsTimer);
    charts.destroy();
    clearTimeout(expiryTimer);
    clearTimeout(renewalTimer);
    if (frame !== undefined) cancelAnimationFrame(frame);
    live.stop();
  }

  render();
  // The snapshots load whether or not the WebSocket comes up, so the page shows something either way.
  loadSnapshots();
  loadSystemMetrics();
  live.start();
  return stop;
}
