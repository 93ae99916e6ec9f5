import * as z from "zod";
import { ServerEventType } from "#realtime/published/protocol";
import type { FleetStatusView } from "#agents/domain/fleet-status";
import type { TaskSummary } from "#tasks/domain/task";
import type { AgentStatusChanged } from "#kernel/bus/agent-status-changed";
import type { TgeDetection } from "#kernel/bus/tge-detected";
import type { CoordinationEvent as CoordinationEventDetail } from "#kernel/bus/coordination-event";
import type { Lease as LeaseView } from "#coordination/domain/lease";
import type { Recommendation } from "#kernel/bus/optimization";
import type { QueueRow } from "#kernel/bus/metrics-snapshot";
import type { SystemAlert } from "#kernel/bus/system-alert";
import type { TaskUpdated } from "#kernel/bus/task-updated";
import type { JobSummary, ScorerTrainingResult } from "#kernel/bus/job-events";

// What the page reads of each event and API response. Most schemas are looser than the domain's
// own (enums are plain strings, extra fields pass) so that a server that learns a new status or
// field does not blank a panel; the `Fits` checks below fail the typecheck instead if a field
// the page reads is renamed or retyped in the domain. The metrics snapshot and the optimization
// result are the exceptions, read with the kernel's schemas (see the end of this file).

/** Compiles only when every field of `Page` exists in `Domain` with a type `Page` accepts. */
type Fits<Domain extends Page, Page> = [Domain, Page];

export const TaskUpdate = z.object({
  taskId: z.string().min(1),
  version: z.number().int(),
  type: z.string(),
  agentType: z.string(),
  priority: z.string(),
  status: z.string(),
  attempt: z.number().int().optional(),
  attemptsAllowed: z.number().int().optional(),
  agentId: z.string().optional(),
  error: z.object({ message: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  executionTimeMs: z.number().optional(),
});
export type TaskUpdate = z.infer<typeof TaskUpdate>;
type _TaskUpdateFits = Fits<TaskUpdated, TaskUpdate>;
type _TaskSummaryFits = Fits<TaskSummary, Omit<TaskUpdate, "executionTimeMs">>;

export const TaskPage = z.object({ items: z.array(TaskUpdate) });

export const AgentStatusUpdate = z.object({
  agentId: z.string().min(1),
  agentType: z.string(),
  status: z.string(),
  statusReason: z.string().optional(),
  heartbeatAt: z.string().optional(),
  version: z.number().int(),
});
type _AgentStatusFits = Fits<AgentStatusChanged, AgentStatusUpdate>;
type AgentStatusUpdate = z.infer<typeof AgentStatusUpdate>;

export const FleetSnapshot = z.object({
  generatedAt: z.string(),
  types: z.array(z.object({ agentType: z.string(), desired: z.number(), running: z.number() })),
  agents: z.array(AgentStatusUpdate),
});
export type FleetSnapshot = z.infer<typeof FleetSnapshot>;
type _FleetFits = Fits<FleetStatusView, FleetSnapshot>;

export const QueueCell = z.object({
  agentType: z.string().optional(),
  priority: z.string(),
  visible: z.number().default(0),
  inFlight: z.number().default(0),
  delayed: z.number().default(0),
  deadLetters: z.number().default(0),
  oldestAgeSeconds: z.number().nullable().default(null),
});
export type QueueCell = z.infer<typeof QueueCell>;
type _QueueRowFits = Fits<QueueRow, z.input<typeof QueueCell>>;

export const QueueSnapshot = z.object({ generatedAt: z.string(), queues: z.array(QueueCell) });
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;

export const Alert = z.object({
  severity: z.string(),
  source: z.string().optional(),
  title: z.string(),
  message: z.string().optional(),
  raisedAt: z.string().optional(),
});
type _AlertFits = Fits<SystemAlert, z.infer<typeof Alert>>;

export const Proposal = z.object({
  recommendationId: z.string().min(1),
  agentType: z.string().optional(),
  setting: z.string(),
  currentValue: z.number(),
  proposedValue: z.number(),
  risk: z.string(),
  rationale: z.string().optional(),
  proposedAt: z.string().optional(),
});
type _ProposalFits = Fits<Recommendation, z.infer<typeof Proposal>>;

/**
 * A `metrics` frame and an `optimization_result` are read with the kernel's own schemas, not
 * looser copies: both are built by our producers from these schemas (the snapshot is parsed
 * before it is published), so a frame that does not parse is a contract drift, counted as
 * unreadable rather than guessed at.
 */
export { MetricsSnapshot } from "#kernel/bus/metrics-snapshot";
export { OptimizationAwaitingApproval, OptimizationCompleted } from "#kernel/bus/optimization";
export { JobFinished, JobProgressed } from "#kernel/bus/job-events";

/**
 * What the jobs panel shows of a finished job's result: a trained scorer's held-out F1 beside
 * its starting config's, or the one-line summary every other job type's result carries.
 */
export const JobResultView = z.union([
  z.object({ heldOut: z.object({ f1: z.number() }), baseline: z.object({ f1: z.number() }) }),
  z.object({ summary: z.string() }),
]);
type _TrainingViewFits = Fits<ScorerTrainingResult, { heldOut: { f1: number }; baseline: { f1: number } }>;
type _SummaryViewFits = Fits<JobSummary, { summary: string }>;

/** A row of `GET /api/optimizations?status=pending`: what the approvals panel shows before any `optimization_pending` frame. */
export const PendingOptimization = z.object({
  recommendationId: z.string().min(1),
  title: z.string(),
  target: z.string(),
  baseVersion: z.string(),
  severity: z.string(),
  risk: z.object({ level: z.string() }).optional(),
  status: z.string(),
  approvalRequestedAt: z.string().optional(),
  approvalDeadline: z.string().optional(),
});
export const PendingOptimizationPage = z.object({ items: z.array(PendingOptimization) });

/** The answer to an approve or reject: the recommendation with the decision recorded. */
export const DecidedOptimization = z.object({
  recommendationId: z.string().min(1),
  status: z.string(),
  decision: z.string().optional(),
  decidedBy: z.string().optional(),
});

export const Detection = z.object({
  detectionId: z.string().min(1),
  project: z.object({ name: z.string(), symbol: z.string().optional() }),
  headline: z.string(),
  url: z.string(),
  source: z.string(),
  score: z.number(),
  detectedAt: z.string(),
});
export type Detection = z.infer<typeof Detection>;
type _DetectionFits = Fits<TgeDetection, Detection>;

export const DetectionPage = z.object({ items: z.array(Detection) });

/** A lease as `GET /api/coordination/locks` lists it. */
export const Lease = z.object({
  leaseId: z.string().min(1),
  resource: z.string(),
  mode: z.string(),
  token: z.number().int(),
  holder: z.string(),
  expiresAt: z.string(),
});
export type Lease = z.infer<typeof Lease>;
type _LeaseFits = Fits<LeaseView, Lease>;

export const LockList = z.object({
  locks: z.array(z.object({ resource: z.string(), exclusive: Lease.optional(), shared: z.array(Lease) })),
});

/** A `coordination_event`'s data: what happened to a lease, a conflict, or an insight. */
export const CoordinationEvent = z.object({
  eventId: z.string().min(1),
  kind: z.string(),
  at: z.string(),
  resource: z.string().optional(),
  lease: z.object({ leaseId: z.string(), token: z.number().int(), mode: z.string(), holder: z.string() }).optional(),
  conflict: z
    .object({
      resources: z.array(z.string()),
      claims: z.array(z.object({ claimId: z.string(), claimant: z.string() })),
      winner: z.string(),
      decidedBy: z.string(),
    })
    .optional(),
});
export type CoordinationEvent = z.infer<typeof CoordinationEvent>;
type _CoordinationFits = Fits<CoordinationEventDetail, CoordinationEvent>;

export const CoordinationEventPage = z.object({ events: z.array(CoordinationEvent) });

/** `GET /api/websocket/event-history`: recent events of a topic, oldest first, as the stream sent them. */
export const EventHistory = z.object({
  events: z.array(z.object({ type: ServerEventType, seq: z.number().int(), timestamp: z.string(), data: z.unknown() })),
});
