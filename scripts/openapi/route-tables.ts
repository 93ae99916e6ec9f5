import { AGENT_ROUTES } from "#agents/published/routes";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import { DETECTION_ROUTES } from "#detection/published/routes";
import { MODEL_ROUTES } from "#models/published/routes";
import { JOB_ROUTES } from "#jobs/published/routes";
import { FILE_ROUTES } from "#files/published/routes";
import { MONITORING_ROUTES } from "#monitoring/published/routes";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { PLATFORM_ROUTES } from "#shared/platform-routes";
import type { Route, RouteTable } from "#shared/routes";
import { TASK_ROUTES } from "#tasks/published/routes";

/** Every context's route table: what the OpenAPI document, the route × role tests and the fuzz test iterate. */
export const ROUTE_TABLES = {
  tasks: TASK_ROUTES,
  agents: AGENT_ROUTES,
  detection: DETECTION_ROUTES,
  coordination: COORDINATION_ROUTES,
  optimization: OPTIMIZATION_ROUTES,
  models: MODEL_ROUTES,
  realtime: REALTIME_ROUTES,
  monitoring: MONITORING_ROUTES,
  jobs: JOB_ROUTES,
  files: FILE_ROUTES,
  platform: PLATFORM_ROUTES,
} as const satisfies Record<string, RouteTable>;

/** Every route of the HTTP API, with its context and name. */
export const ALL_ROUTES: readonly (Route & { readonly context: string; readonly name: string })[] = Object.entries(
  ROUTE_TABLES,
).flatMap(([context, table]) => Object.entries(table as RouteTable).map(([name, route]) => ({ ...route, context, name })));
