import type { ServerEventType } from "./protocol";

/** Which bus events the dashboard relays, and as what. Other detail types are not shown. */
export const SERVER_EVENT_TYPE_OF: Readonly<Record<string, ServerEventType>> = {
  TaskUpdated: "task_update",
  AgentStatusChanged: "agent_status",
  MetricsSnapshot: "metrics",
  OptimizationRecommended: "optimization_proposed",
  OptimizationCompleted: "optimization_result",
  TgeDetected: "tge_detected",
  SystemAlert: "system_alert",
  /** An admin's broadcast to one room (POST /api/websocket/broadcast with a `room`). */
  RoomMessage: "room_message",
};
