import type * as z from "zod";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import type { ServerEvent } from "#realtime/published/protocol";
import {
  Alert,
  AgentStatusUpdate,
  CoordinationEvent,
  Detection,
  type FleetSnapshot,
  JobFinished,
  JobProgressed,
  JobResultView,
  MetricsSnapshot,
  OptimizationAwaitingApproval,
  OptimizationCompleted,
  type Lease,
  Proposal,
  type QueueCell,
  type QueueSnapshot,
  TaskUpdate,
} from "./schemas";
import type { OptimizationOutcome } from "#kernel/bus/optimization";
import { AGENT_STATUSES } from "#kernel/bus/agent-status-changed";
import { PRIORITIES } from "#kernel/task-vocabulary";

/** How many rows each list panel keeps; the oldest fall off. */
export const LIMITS = { tasks: 50, alerts: 50, optimizations: 30, detections: 30, conflicts: 20, jobs: 20 } as const;

/** A job as the jobs panel shows it: its last progress while it runs, then how it ended. */
export interface JobRow {
  readonly jobId: string;
  readonly jobType: string;
  readonly status: string;
  /** The sequence of the progress shown; an older report arriving late is dropped. */
  readonly sequence: number;
  readonly percent: number;
  readonly step: string;
  readonly message?: string;
  readonly etaSeconds?: number;
  readonly updatedAt: string;
  readonly reason?: string;
  /** A scorer-training job's held-out F1 and its starting config's, once it succeeded. */
  readonly heldOutF1?: number;
  readonly baselineF1?: number;
  /** Any other job type's one-line summary of its result. */
  readonly summary?: string;
}

export interface AgentRow {
  readonly agentId: string;
  readonly agentType: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly version: number;
  /** When this row was last confirmed (event timestamp or snapshot time). */
  readonly seenAt: string;
}

export interface TaskRow extends TaskUpdate {
  /** The `seq` of the event that last changed the row, if one did. */
  readonly seq?: number;
}

export interface AlertRow {
  readonly seq: number;
  readonly severity: string;
  readonly source?: string;
  readonly title: string;
  readonly message?: string;
  readonly raisedAt: string;
}

export interface OptimizationRow {
  readonly recommendationId: string;
  readonly setting?: string;
  readonly agentType?: string;
  readonly currentValue?: number;
  readonly proposedValue?: number;
  readonly risk?: string;
  readonly rationale?: string;
  readonly proposedAt: string;
  /** Set by `optimization_result` (`OptimizationCompleted`): how the pipeline settled it. */
  readonly outcome?: OptimizationOutcome;
  /** Why it ended so, in words. */
  readonly outcomeDetail?: string;
  /** Who approved or rejected it, when a person did. */
  readonly decidedBy?: string;
  readonly completedAt?: string;
}

/** A recommendation waiting for a person's decision (from `optimization_pending`, or the pending list). */
export interface ApprovalRow {
  readonly recommendationId: string;
  readonly title: string;
  readonly target: string;
  readonly fromVersion: string;
  readonly risk: string;
  /** One line per JSON Patch operation, when the event carried them. */
  readonly summary: readonly string[];
  readonly approvalDeadline?: string;
}

export type DetectionRow = Detection;

/** A lease the page shows; `expiresAt` only when the API listed it (events do not carry it). */
export interface LockRow {
  readonly leaseId: string;
  readonly resource: string;
  readonly mode: string;
  readonly token: number;
  readonly holder: string;
  readonly expiresAt?: string;
}

export interface DashboardState {
  readonly agents: Readonly<Record<string, AgentRow>>;
  readonly agentTypes: Readonly<Record<string, { readonly desired: number; readonly running: number }>>;
  readonly queues: { readonly cells: readonly QueueCell[]; readonly asOf?: string };
  /** Newest first (by creation), at most `LIMITS.tasks`. */
  readonly tasks: readonly TaskRow[];
  readonly alerts: readonly AlertRow[];
  readonly optimizations: readonly OptimizationRow[];
  /** Waiting for a decision, by recommendation id; an `optimization_result` removes one. */
  readonly approvals: Readonly<Record<string, ApprovalRow>>;
  /** Recommendations already settled, so a late pending snapshot does not bring one back. */
  readonly settled: readonly string[];
  readonly detections: readonly DetectionRow[];
  /** Leases held now, by lease id (snapshot from the API, then acquired/released/expired/stolen events). */
  readonly locks: Readonly<Record<string, LockRow>>;
  /** Recent conflicts, newest first. */
  readonly conflicts: readonly CoordinationEvent[];
  /** Running and recent jobs by id (from `job_progress` and `job_result`). */
  readonly jobs: Readonly<Record<string, JobRow>>;
  /** Events whose `data` the page could not read; shown so a contract drift does not go unnoticed. */
  readonly unreadable: number;
}

export const initialState = (): DashboardState => ({
  agents: {},
  agentTypes: {},
  queues: { cells: [] },
  tasks: [],
  alerts: [],
  optimizations: [],
  approvals: {},
  settled: [],
  detections: [],
  locks: {},
  conflicts: [],
  jobs: {},
  unreadable: 0,
});

const newestFirst =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(b).localeCompare(key(a));

/** Applies one server event. Pure: returns a new state, or the same one when nothing changed. */
export function applyEvent(state: DashboardState, event: ServerEvent): DashboardState {
  switch (event.type) {
    case "task_update":
      return read(state, TaskUpdate, event.data, (task) => upsertTask(state, { ...task, seq: event.seq }));
    case "agent_status":
      return read(state, AgentStatusUpdate, event.data, (agent) => {
        const known = state.agents[agent.agentId];
        // The bus does not keep order; an agent's `version` does.
        if (known && known.version >= agent.version) return state;
        const row: AgentRow = { ...agent, seenAt: event.timestamp };
        return { ...state, agents: { ...state.agents, [agent.agentId]: row } };
      });
    case "metrics":
      return applyMetrics(state, event);
    case "system_alert":
      // Heard twice (the history the page loads, then the live stream): one row per seq.
      if (state.alerts.some((row) => row.seq === event.seq)) return state;
      return read(state, Alert, event.data, (alert) => ({
        ...state,
        alerts: [{ ...alert, seq: event.seq, raisedAt: alert.raisedAt ?? event.timestamp }, ...state.alerts]
          .sort(newestFirst((row) => row.raisedAt))
          .slice(0, LIMITS.alerts),
      }));
    case "job_progress":
      return read(state, JobProgressed, event.data, (progress) => {
        const known = state.jobs[progress.jobId];
        // Progress after the result (the bus keeps no order) or older than what is shown changes nothing.
        if (known && (known.status !== "running" || known.sequence >= progress.sequence)) return state;
        const { jobId, jobType, sequence, percent, step, message, etaSeconds, reportedAt } = progress;
        return withJob(state, {
          jobId,
          jobType,
          status: "running",
          sequence,
          percent,
          step,
          ...(message ? { message } : {}),
          ...(etaSeconds !== undefined ? { etaSeconds } : {}),
          updatedAt: reportedAt,
        });
      });
    case "job_result":
      return read(state, JobFinished, event.data, (finished) => {
        const known = state.jobs[finished.jobId];
        const view = JobResultView.safeParse(finished.result);
        return withJob(state, {
          jobId: finished.jobId,
          jobType: finished.jobType,
          status: finished.status,
          sequence: known?.sequence ?? 0,
          percent: finished.status === "succeeded" ? 100 : (known?.percent ?? 0),
          step: finished.status,
          updatedAt: finished.finishedAt,
          ...(finished.reason ? { reason: finished.reason } : {}),
          ...(view.success ? resultFigures(view.data) : {}),
        });
      });
    case "optimization_proposed":
      return read(state, Proposal, event.data, (proposal) =>
        upsertOptimization(state, proposal.recommendationId, (row) => ({
          ...row,
          ...proposal,
          proposedAt: proposal.proposedAt ?? row?.proposedAt ?? event.timestamp,
        })),
      );
    case "optimization_pending":
      return read(state, OptimizationAwaitingApproval, event.data, (pending) =>
        applyPendingApprovals(state, [
          {
            recommendationId: pending.recommendationId,
            title: pending.title,
            target: pending.target,
            fromVersion: pending.fromVersion,
            risk: pending.risk,
            summary: pending.summary,
            approvalDeadline: pending.approvalDeadline,
          },
        ]),
      );
    case "optimization_result":
      return read(state, OptimizationCompleted, event.data, (result) =>
        upsertOptimization(settleApproval(state, result.recommendationId), result.recommendationId, (row) => ({
          ...row,
          recommendationId: result.recommendationId,
          // A result can arrive before (or without) its proposal: it then stands for the run.
          proposedAt: row?.proposedAt ?? result.completedAt,
          outcome: result.outcome,
          outcomeDetail: result.reason,
          completedAt: result.completedAt,
          ...(result.decidedBy ? { decidedBy: result.decidedBy } : {}),
        })),
      );
    case "tge_detected":
      return read(state, Detection, event.data, (detection) => upsertDetection(state, detection));
    case "coordination_event":
      return read(state, CoordinationEvent, event.data, (coordination) => applyCoordination(state, coordination));
    default:
      // Room events and any type this page does not show.
      return state;
  }
}

function read<S extends z.ZodType>(
  state: DashboardState,
  schema: S,
  data: unknown,
  apply: (value: z.infer<S>) => DashboardState,
): DashboardState {
  const parsed = schema.safeParse(data);
  return parsed.success ? apply(parsed.data) : { ...state, unreadable: state.unreadable + 1 };
}

function upsertTask(state: DashboardState, task: TaskRow): DashboardState {
  const known = state.tasks.find((row) => row.taskId === task.taskId);
  // A task's updates can arrive out of order; its `version` grows with every write.
  if (known && known.version > task.version) return state;
  if (known && known.version === task.version) {
    // The same write, heard again (an event after the API's list, or a replay): keep the row, but
    // remember the event's seq so the row shows it came through the stream.
    if (known.seq !== undefined || task.seq === undefined) return state;
    return { ...state, tasks: state.tasks.map((row) => (row === known ? { ...row, seq: task.seq } : row)) };
  }
  const tasks = [task, ...state.tasks.filter((row) => row.taskId !== task.taskId)]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.taskId.localeCompare(b.taskId))
    .slice(0, LIMITS.tasks);
  return { ...state, tasks };
}

const resultFigures = (view: z.infer<typeof JobResultView>): Pick<JobRow, "heldOutF1" | "baselineF1" | "summary"> =>
  "summary" in view ? { summary: view.summary } : { heldOutF1: view.heldOut.f1, baselineF1: view.baseline.f1 };

/** Sets a job's row, keeping the newest `LIMITS.jobs` jobs. */
function withJob(state: DashboardState, row: JobRow): DashboardState {
  const rows = [row, ...Object.values(state.jobs).filter((known) => known.jobId !== row.jobId)]
    .sort(newestFirst((known) => known.updatedAt))
    .slice(0, LIMITS.jobs);
  return { ...state, jobs: Object.fromEntries(rows.map((known) => [known.jobId, known])) };
}

function upsertOptimization(
  state: DashboardState,
  id: string,
  merge: (row: OptimizationRow | undefined) => OptimizationRow,
): DashboardState {
  const known = state.optimizations.find((row) => row.recommendationId === id);
  const optimizations = [merge(known), ...state.optimizations.filter((row) => row.recommendationId !== id)]
    .sort(newestFirst((row) => row.proposedAt))
    .slice(0, LIMITS.optimizations);
  return { ...state, optimizations };
}

function upsertDetection(state: DashboardState, detection: DetectionRow): DashboardState {
  // A repeat of a detection (another outlet, same event) carries the same id: one row per event.
  const detections = [detection, ...state.detections.filter((row) => row.detectionId !== detection.detectionId)]
    .sort(newestFirst((row) => row.detectedAt))
    .slice(0, LIMITS.detections);
  return { ...state, detections };
}

/** Recent tasks from `GET /api/tasks`, merged with what events already told us. */
export function applyTaskPage(state: DashboardState, tasks: readonly TaskUpdate[]): DashboardState {
  return tasks.reduce<DashboardState>((next, task) => upsertTask(next, task), state);
}

/** A lease granted or ended, or a conflict: the locks and conflicts panels' changes. */
function applyCoordination(state: DashboardState, event: CoordinationEvent): DashboardState {
  const lease = event.lease;
  if (event.kind === "acquired" && lease && event.resource) {
    if (state.locks[lease.leaseId]) return state;
    return { ...state, locks: { ...state.locks, [lease.leaseId]: { ...lease, resource: event.resource } } };
  }
  if ((event.kind === "released" || event.kind === "expired" || event.kind === "stolen") && lease) {
    if (!state.locks[lease.leaseId]) return state;
    const { [lease.leaseId]: _ended, ...rest } = state.locks;
    return { ...state, locks: rest };
  }
  if (event.kind === "conflict") return applyConflicts(state, [event]);
  return state;
}

/** The locks from `GET /api/coordination/locks`: what is held now replaces what the page believed. */
export function applyLockList(state: DashboardState, leases: readonly Lease[]): DashboardState {
  return { ...state, locks: Object.fromEntries(leases.map((lease) => [lease.leaseId, lease])) };
}

/** Conflicts from `GET /api/coordination/conflicts` or events; one row per event id, newest first. */
export function applyConflicts(state: DashboardState, conflicts: readonly CoordinationEvent[]): DashboardState {
  const ids = new Set(conflicts.map((c) => c.eventId));
  return {
    ...state,
    conflicts: [...conflicts, ...state.conflicts.filter((c) => !ids.has(c.eventId))]
      .sort(newestFirst((c) => c.at))
      .slice(0, LIMITS.conflicts),
  };
}

/** Detections from `GET /api/detections`, merged with what events already told us. */
export function applyDetections(state: DashboardState, detections: readonly Detection[]): DashboardState {
  return detections.reduce<DashboardState>((next, detection) => upsertDetection(next, detection), state);
}

/**
 * The fleet from `GET /api/agents/status`. An agent the snapshot leaves out (it lists no stopped
 * agents) is dropped unless an event confirmed it after the snapshot was taken.
 */
export function applyFleetSnapshot(state: DashboardState, fleet: FleetSnapshot): DashboardState {
  const agents: Record<string, AgentRow> = {};
  for (const [id, row] of Object.entries(state.agents)) if (row.seenAt > fleet.generatedAt) agents[id] = row;
  for (const agent of fleet.agents) {
    const known = state.agents[agent.agentId];
    agents[agent.agentId] = known && known.version > agent.version ? known : { ...agent, seenAt: fleet.generatedAt };
  }
  const agentTypes = Object.fromEntries(
    fleet.types.map((type) => [type.agentType, { desired: type.desired, running: type.running }]),
  );
  return { ...state, agents, agentTypes };
}

/** The queues from `GET /api/tasks/queue`, unless a newer metrics snapshot is already shown. */
export function applyQueueSnapshot(state: DashboardState, snapshot: QueueSnapshot): DashboardState {
  if (state.queues.asOf && state.queues.asOf > snapshot.generatedAt) return state;
  return { ...state, queues: { cells: snapshot.queues, asOf: snapshot.generatedAt } };
}

/**
 * A `metrics` event: its queue rows (the rows of `GET /api/tasks/queue`, one per agent type ×
 * priority) replace the panel's, unless a newer figure is already shown.
 */
export function applyMetrics(state: DashboardState, event: ServerEvent): DashboardState {
  return read(state, MetricsSnapshot, event.data, (snapshot) => {
    if (state.queues.asOf && state.queues.asOf > snapshot.at) return state;
    return { ...state, queues: { cells: snapshot.queues, asOf: snapshot.at } };
  });
}

export interface PriorityDepth {
  readonly priority: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly deadLetters: number;
  /** The oldest wait across agent types, or null when nothing waits. */
  readonly oldestAgeSeconds: number | null;
}

/** Queue depth per priority, summed over agent types, in priority order. */
export function queueDepthByPriority(state: DashboardState): PriorityDepth[] {
  const priorities = [
    ...PRIORITIES,
    ...new Set(state.queues.cells.map((c) => c.priority).filter((p) => !PRIORITIES.includes(p as never))),
  ];
  return priorities.map((priority) => {
    const cells = state.queues.cells.filter((c) => c.priority === priority);
    const ages = cells.map((c) => c.oldestAgeSeconds).filter((age): age is number => age !== null);
    return {
      priority,
      visible: sum(cells.map((c) => c.visible)),
      inFlight: sum(cells.map((c) => c.inFlight)),
      delayed: sum(cells.map((c) => c.delayed)),
      deadLetters: sum(cells.map((c) => c.deadLetters)),
      oldestAgeSeconds: ages.length ? Math.max(...ages) : null,
    };
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export interface AgentTypeCounts {
  readonly agentType: string;
  readonly desired?: number;
  readonly running?: number;
  /** Agents by status; every known status is present, zero when none. */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly total: number;
}

/** Agents per type and status, every type listed (zeros included) so the panel's shape is stable. */
export function agentCounts(state: DashboardState): AgentTypeCounts[] {
  const agents = Object.values(state.agents);
  const types = [...new Set<string>([...AGENT_TYPES, ...Object.keys(state.agentTypes), ...agents.map((a) => a.agentType)])];
  return types.map((agentType) => {
    const mine = agents.filter((a) => a.agentType === agentType);
    const byStatus: Record<string, number> = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0]));
    for (const agent of mine) byStatus[agent.status] = (byStatus[agent.status] ?? 0) + 1;
    return { agentType, ...state.agentTypes[agentType], byStatus, total: mine.length };
  });
}

/** Adds recommendations waiting for a decision, unless the page already heard how they ended. */
export function applyPendingApprovals(state: DashboardState, rows: readonly ApprovalRow[]): DashboardState {
  const fresh = rows.filter((row) => !state.settled.includes(row.recommendationId));
  if (fresh.length === 0) return state;
  const approvals = { ...state.approvals };
  for (const row of fresh) {
    const known = approvals[row.recommendationId];
    // The list has no patch lines; an event heard earlier does.
    approvals[row.recommendationId] = {
      ...known,
      ...row,
      summary: row.summary.length > 0 ? row.summary : (known?.summary ?? []),
    };
  }
  return { ...state, approvals };
}

/** A recommendation decided (by anyone) or otherwise ended: no longer waiting. */
export function settleApproval(state: DashboardState, recommendationId: string): DashboardState {
  const { [recommendationId]: _gone, ...approvals } = state.approvals;
  return { ...state, approvals, settled: [recommendationId, ...state.settled].slice(0, LIMITS.optimizations * 4) };
}
