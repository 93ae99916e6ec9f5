import type { Duration } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { RouteTable } from "#shared/routes";
import type { StageConfig } from "../config/stage-config";
import { SwarmFunction } from "./swarm-function";

export interface RouteFunctionsProps<T extends RouteTable> {
  readonly config: StageConfig;
  /** The bounded context the routes belong to (the Powertools service name). */
  readonly context: string;
  /** Variables every handler of the table gets. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Variables only some handlers get, by route name. @default none */
  readonly environmentOf?: { readonly [K in keyof T]?: Readonly<Record<string, string>> };
  /** Timeouts other than SwarmFunction's default, by route name. @default none */
  readonly timeoutOf?: { readonly [K in keyof T]?: Duration };
}

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * One function per route of a route table, built from the route's handler entry and named after
 * the route (`getTask` → `GetTask`), so the table is the one list of a context's routes.
 *
 * @example
 * const api = routeFunctions(this, TASK_ROUTES, { config, context: "tasks", environment });
 * this.table.grant(api.getTask, "GetItem");
 */
export function routeFunctions<T extends RouteTable>(
  scope: Construct,
  table: T,
  props: RouteFunctionsProps<T>,
): { readonly [K in keyof T]: SwarmFunction } {
  return Object.fromEntries(
    Object.entries(table).map(([name, route]) => [
      name,
      new SwarmFunction(scope, capitalized(name), {
        entry: `${route.entry}.ts`,
        description: `${route.method} ${route.path}: ${route.summary}`,
        context: props.context,
        config: props.config,
        timeout: props.timeoutOf?.[name as keyof T],
        environment: { ...props.environment, ...props.environmentOf?.[name as keyof T] },
      }),
    ]),
  ) as { readonly [K in keyof T]: SwarmFunction };
}
