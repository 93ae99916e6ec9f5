import * as z from "zod";
import { READER_ROLES } from "#shared/identity";
import { PUBLIC, type RouteTable } from "#shared/routes";
import { HealthView } from "../domain/health";
import { MetricsWindow, SystemMetricsView } from "../domain/system-metrics";

export const SystemMetricsQuery = z.object({ window: MetricsWindow.default("1h") }).strict();

/** The health check, and the system's figures over time. */
export const MONITORING_ROUTES = {
  getHealth: {
    method: "GET",
    budget: "expensive",
    path: "/api/health",
    entry: "monitoring/get-health",
    roles: PUBLIC,
    // Health must say how the components are now, not how they were.
    cache: "no-store",
    summary: "Health of each component the swarm depends on",
    description:
      "The only route that needs no token, so load balancers and uptime probes can call it; it reveals component status only. 200 when every component answers, 503 otherwise.",
    responses: {
      200: { description: "All components answer", schema: HealthView },
      503: { description: "A component is down", schema: HealthView },
    },
    errors: [],
  },
  getSystemMetrics: {
    method: "GET",
    path: "/api/metrics/system",
    entry: "monitoring/get-system-metrics",
    roles: READER_ROLES,
    summary: "Throughput, task latency, utilization, queue depths, connections and error rate over a window",
    description:
      "From the points the minute's metrics snapshot keeps (25 hours): `window` is `5m`, `1h` (default) or `24h`. `series` has a point per minute (per 5 minutes for `24h`: means of rates and times, the last minute's gauges); `summary` is computed from the same points. Task latency percentiles are over per-minute means: the counters keep sums, not each task's time. API latency is CloudWatch's (an alarm watches its p95), not part of this view.",
    query: SystemMetricsQuery,
    responses: { 200: { description: "The window's figures", schema: SystemMetricsView } },
    errors: [400],
  },
} as const satisfies RouteTable;
