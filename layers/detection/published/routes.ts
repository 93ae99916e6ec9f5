import { READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import { DetectionListQuery, DetectionPage } from "../domain/detection";

/** What the swarm found: TGE detections. */
export const DETECTION_ROUTES = {
  listDetections: {
    method: "GET",
    path: "/api/detections",
    entry: "detection/list-detections",
    roles: READER_ROLES,
    summary: "TGE detections, newest first, each with the feed items that reported it",
    query: DetectionListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of detections", schema: DetectionPage } },
    errors: [400],
  },
} as const satisfies RouteTable;
