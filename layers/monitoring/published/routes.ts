import { PUBLIC, type RouteTable } from "#shared/routes";
import { HealthView } from "../domain/health";

/** The health check. */
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
} as const satisfies RouteTable;
