import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import {
  OPTIMIZATION_AWAITING_APPROVAL,
  OPTIMIZATION_COMPLETED,
  type OptimizationAwaitingApproval,
  type OptimizationCompleted,
} from "#kernel/bus/optimization";
import { diffLineText } from "./json-patch";
import type { Optimization } from "./optimization";

/**
 * What a change to a recommendation's record announces (the optimizations table's stream is
 * the outbox): `OptimizationAwaitingApproval` when it starts waiting for a person, and
 * `OptimizationCompleted` once, when its outcome is recorded. Neither carries the task token,
 * which is never in this record.
 */
export function optimizationEvents(previous: Optimization | undefined, current: Optimization): DomainEvent[] {
  const events: DomainEvent[] = [];
  if (current.status === "pending" && previous?.status !== "pending" && current.approvalDeadline && current.risk) {
    const detail: OptimizationAwaitingApproval = {
      recommendationId: current.recommendationId,
      title: current.title,
      target: current.target,
      fromVersion: current.baseVersion,
      risk: current.risk.level,
      severity: current.severity,
      summary: (current.diff ?? []).map(diffLineText),
      requestedAt: current.approvalRequestedAt ?? current.updatedAt,
      approvalDeadline: current.approvalDeadline,
    };
    events.push({ source: EVENT_SOURCES.optimization, detailType: OPTIMIZATION_AWAITING_APPROVAL, detail });
  }
  if (current.completedAt && current.outcome && !previous?.completedAt) {
    const detail: OptimizationCompleted = {
      recommendationId: current.recommendationId,
      outcome: current.outcome,
      reason: current.reason ?? "",
      target: current.target,
      fromVersion: current.baseVersion,
      ...(current.restoredVersion
        ? { toVersion: current.restoredVersion }
        : current.toVersion
          ? { toVersion: current.toVersion }
          : {}),
      ...(current.decidedBy ? { decidedBy: current.decidedBy } : {}),
      title: current.title,
      completedAt: current.completedAt,
    };
    events.push({ source: EVENT_SOURCES.optimization, detailType: OPTIMIZATION_COMPLETED, detail });
  }
  return events;
}
