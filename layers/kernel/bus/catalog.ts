import type * as z from "zod";
import { AGENT_STATUS_CHANGED, AgentStatusChanged } from "./agent-status-changed";
import { COORDINATION_EVENT, CoordinationEvent } from "./coordination-event";
import { JOB_FINISHED, JOB_PROGRESSED, JobFinished, JobProgressed } from "./job-events";
import { METRICS_SNAPSHOT, MetricsSnapshot } from "./metrics-snapshot";
import {
  OPTIMIZATION_AWAITING_APPROVAL,
  OPTIMIZATION_COMPLETED,
  OPTIMIZATION_RECOMMENDED,
  OptimizationAwaitingApproval,
  OptimizationCompleted,
  Recommendation,
} from "./optimization";
import { ROOM_MESSAGE, RoomMessage } from "./room-message";
import { SYSTEM_ALERT, SystemAlert } from "./system-alert";
import { TASK_UPDATED, TaskUpdated } from "./task-updated";
import { TGE_DETECTED, TgeDetection } from "./tge-detected";

/**
 * Every detail type on the swarm bus, with the schema of its detail. Producers build details of
 * these types; consumers (the dashboard back end, the page) parse with the same schemas.
 */
export const BUS_EVENTS = {
  [TASK_UPDATED]: TaskUpdated,
  [AGENT_STATUS_CHANGED]: AgentStatusChanged,
  [METRICS_SNAPSHOT]: MetricsSnapshot,
  [OPTIMIZATION_RECOMMENDED]: Recommendation,
  [OPTIMIZATION_AWAITING_APPROVAL]: OptimizationAwaitingApproval,
  [OPTIMIZATION_COMPLETED]: OptimizationCompleted,
  [TGE_DETECTED]: TgeDetection,
  [SYSTEM_ALERT]: SystemAlert,
  [ROOM_MESSAGE]: RoomMessage,
  [COORDINATION_EVENT]: CoordinationEvent,
  [JOB_PROGRESSED]: JobProgressed,
  [JOB_FINISHED]: JobFinished,
} as const satisfies Record<string, z.ZodType>;
export type BusDetailType = keyof typeof BUS_EVENTS;
export type BusDetail<T extends BusDetailType> = z.infer<(typeof BUS_EVENTS)[T]>;
