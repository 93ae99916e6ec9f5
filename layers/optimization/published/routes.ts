import { ACTOR_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import {
  DecisionRequest,
  OptimizationIdParams,
  OptimizationListQuery,
  OptimizationMetricsView,
  OptimizationPage,
  OptimizationView,
  SubmitOptimizationRequest,
} from "../domain/optimization";
import {
  SettingsDocumentQuery,
  SettingsDocumentView,
  SettingsList,
  SettingsNameParams,
  SettingsVersionsPage,
  SettingsVersionsQuery,
} from "../domain/views";
import { DECIDER_ROLES, type Decision, decisionRoute } from "./decisions";

const decision = (verb: Decision) =>
  ({
    method: "POST",
    path: decisionRoute(verb),
    entry: `optimization/${verb}-optimization`,
    roles: DECIDER_ROLES,
    summary:
      verb === "approve" ? "Approve a recommendation waiting for a decision" : "Reject a recommendation waiting for a decision",
    description:
      "Records you as the approver, in one conditional write that also settles the race with the approval timeout: only a recommendation that is `pending` before its `approvalDeadline` can be decided, and only once. The pipeline is resumed at once; the answer is the recommendation with your decision. After the window closed, or once decided, 409.",
    params: OptimizationIdParams,
    body: DecisionRequest,
    optionalBody: true,
    responses: { 200: { description: "The recommendation, with the decision", schema: OptimizationView } },
    errors: [400, 404, 409],
  }) as const;

/** The optimization API: recommendations through the pipeline, their approvals, and the settings documents they change. */
export const OPTIMIZATION_ROUTES = {
  submitOptimization: {
    method: "POST",
    path: "/api/optimizations",
    entry: "optimization/submit-optimization",
    roles: ACTOR_ROLES,
    summary: "Recommend a change to a settings document (a JSON Patch against one version)",
    description:
      "The patch must apply to `document` at `baseVersion` (422 names the operation that does not, by its index in `patch`) and the patched document must pass the document's schema (422 names the paths). The recommendation is then stored and its pipeline started (execution name = recommendation id): validate → assess risk → auto-apply or wait for approval → lock → stale check → apply → verify → complete or roll back → record → release. With `idempotencyKey`, a repeat answers 200 with the first recommendation.",
    body: SubmitOptimizationRequest,
    responses: {
      202: {
        description: "Accepted: the pipeline runs",
        schema: OptimizationView,
        headers: { location: "/api/optimizations/{recommendationId}" },
      },
      200: { description: "Replay of an earlier request with the same idempotency key", schema: OptimizationView },
    },
    errors: [400, 409, 422],
  },
  listOptimizations: {
    method: "GET",
    path: "/api/optimizations",
    entry: "optimization/list-optimizations",
    roles: READER_ROLES,
    summary: "Recommendations, newest first, by status and target document",
    description: "`status=pending` lists those waiting for a decision.",
    query: OptimizationListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of recommendations", schema: OptimizationPage } },
    errors: [400],
  },
  getOptimizationMetrics: {
    method: "GET",
    path: "/api/optimizations/metrics",
    entry: "optimization/get-optimization-metrics",
    roles: READER_ROLES,
    summary: "Outcomes (applied, rejected, rolled back, expired, …), mean time to decision and to apply",
    responses: { 200: { description: "The optimization metrics", schema: OptimizationMetricsView } },
    errors: [],
  },
  getOptimization: {
    method: "GET",
    path: "/api/optimizations/{recommendationId}",
    entry: "optimization/get-optimization",
    roles: READER_ROLES,
    summary: "A recommendation: its diff, risk, decision, versions, verification figures and the pipeline's steps",
    params: OptimizationIdParams,
    responses: { 200: { description: "The recommendation", schema: OptimizationView } },
    errors: [404],
  },
  approveOptimization: decision("approve"),
  rejectOptimization: decision("reject"),
  listSettings: {
    method: "GET",
    path: "/api/settings",
    entry: "optimization/list-settings",
    roles: READER_ROLES,
    summary: "The settings documents agents and functions run on, each with its current version",
    responses: { 200: { description: "Every document", schema: SettingsList } },
    errors: [],
  },
  getSettings: {
    method: "GET",
    path: "/api/settings/{name}",
    entry: "optimization/get-settings",
    roles: READER_ROLES,
    summary: "A settings document: its current version (or `?version=`), with who wrote it",
    description: "The ETag is the S3 version's; `version` is what a recommendation's `baseVersion` names.",
    params: SettingsNameParams,
    query: SettingsDocumentQuery,
    responses: { 200: { description: "The document", schema: SettingsDocumentView } },
    errors: [400, 404],
  },
  listSettingsVersions: {
    method: "GET",
    path: "/api/settings/{name}/versions",
    entry: "optimization/list-settings-versions",
    roles: READER_ROLES,
    summary: "A settings document's history, newest first: who changed it, through which optimization",
    params: SettingsNameParams,
    query: SettingsVersionsQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of versions", schema: SettingsVersionsPage } },
    errors: [400],
  },
} as const satisfies RouteTable;
