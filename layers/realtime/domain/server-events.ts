import type { BusDetailType } from "#kernel/bus/catalog";
import type { ServerEventType } from "../published/protocol";

/** Which bus events the dashboard relays, and as what: every detail type on the bus has a frame. */
export const SERVER_EVENT_TYPE_OF: Readonly<Record<BusDetailType, ServerEventType>> = {
  TaskUpdated: "task_update",
  AgentStatusChanged: "agent_status",
  MetricsSnapshot: "metrics",
  OptimizationRecommended: "optimization_proposed",
  OptimizationAwaitingApproval: "optimization_pending",
  OptimizationCompleted: "optimization_result",
  TgeDetected: "tge_detected",
  SystemAlert: "system_alert",
  /** An admin's broadcast to one room (POST /api/websocket/broadcast with a `room`). */
  RoomMessage: "room_message",
  CoordinationEvent: "coordination_event",
  JobProgressed: "job_progress",
  JobFinished: "job_result",
};

/** The frame type a bus event is relayed as, if the dashboard shows it. */
export const serverEventTypeOf = (detailType: string): ServerEventType | undefined =>
  Object.hasOwn(SERVER_EVENT_TYPE_OF, detailType) ? SERVER_EVENT_TYPE_OF[detailType as BusDetailType] : undefined;
