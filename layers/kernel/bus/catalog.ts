import type * as z from "zod";
import { AGENT_STATUS_CHANGED, AgentStatusChanged } from "./agent-status-changed";
import { EVENT_SOURCES, type EventSource } from "./domain-event";
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
  SETTINGS_CHANGE_PROPOSED,
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

/**
 * The detail types each source puts on the bus, and no others. The CDK conditions every
 * publisher's PutEvents on its source and these types (`events:source`, `events:detail-type`),
 * and the publisher refuses any other pair before calling, so a gap here fails locally too.
 */
export const PUBLISHED_DETAIL_TYPES = {
  [EVENT_SOURCES.tasks]: [TASK_UPDATED, SYSTEM_ALERT],
  [EVENT_SOURCES.agents]: [AGENT_STATUS_CHANGED, SYSTEM_ALERT],
  [EVENT_SOURCES.detection]: [TGE_DETECTED],
  [EVENT_SOURCES.coordination]: [COORDINATION_EVENT],
  [EVENT_SOURCES.optimization]: [OPTIMIZATION_RECOMMENDED, OPTIMIZATION_AWAITING_APPROVAL, OPTIMIZATION_COMPLETED],
  [EVENT_SOURCES.monitoring]: [METRICS_SNAPSHOT, SYSTEM_ALERT],
  [EVENT_SOURCES.realtime]: [ROOM_MESSAGE, SYSTEM_ALERT],
  [EVENT_SOURCES.jobs]: [JOB_PROGRESSED, JOB_FINISHED],
  [EVENT_SOURCES.models]: [SETTINGS_CHANGE_PROPOSED],
  // S3 announces uploads (source aws.s3); the files context itself publishes nothing.
  [EVENT_SOURCES.files]: [],
} as const satisfies Record<EventSource, readonly (BusDetailType | typeof SETTINGS_CHANGE_PROPOSED)[]>;

/** Whether `source` may put `detailType` on the bus (the same rule IAM applies on AWS). */
export const mayPublish = (source: EventSource, detailType: string): boolean =>
  (PUBLISHED_DETAIL_TYPES[source] as readonly string[]).includes(detailType);
