import * as z from "zod";
import { JsonValue } from "#kernel/json";
import { ErrorResponse, ProblemDetails } from "#shared/http";
import { type ApiVersion, CURRENT_API_VERSION, type ErrorStatus, PUBLIC, type Route, versioned } from "#shared/routes";
import { ALL_ROUTES } from "./route-tables";

const ERROR_DESCRIPTIONS: Readonly<Record<ErrorStatus | 401 | 403, string>> = {
  400: "Invalid input; `error.fields` names every bad field",
  401: "Missing or invalid token",
  403: "The caller's role may not do this (checked before the request is read)",
  404: "Not found",
  409: "Conflicts with the current state",
  412: "The resource changed since the `If-Match` version",
  413: "Payload over the limit; `error.fields` names it",
  422: "Well-formed, but it cannot be applied",
  429: "Over a limit; retry after the `Retry-After` header's seconds",
  503: "A dependency is down",
};

/** Who may call a route, in words and as data (`x-roles`). */
const rolesOf = (route: Route) => (route.roles === PUBLIC ? "anyone, without a token" : route.roles.join(", "));

/** The OpenAPI name of a schema (its zod `.meta({ id })`); a route table schema without one is a mistake. */
function nameOf(schema: z.ZodType, where: string): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error(`${where}: its schema has no OpenAPI name; give it .meta({ id: "…" })`);
  return id;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const header = (example: string, description?: string) => ({
  schema: { type: "string" },
  example,
  ...(description ? { description } : {}),
});

/** The headers of a success answer: the route's own, and on a GET its ETag, Cache-Control and (for pages) Link. */
function headersOf(route: Route, response: Route["responses"][number]) {
  const headers: Record<string, unknown> = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, example]) => [name, header(example)]),
  );
  if (route.method === "GET") {
    headers.etag = header('"Yb2x…"', "Send it back as If-None-Match: 304 while the answer is unchanged");
    headers["cache-control"] = header(route.cache ?? "private, no-cache");
    if (route.pagedBy) headers.link = header('<?limit=50&cursor=…>; rel="next"', "The next page, as the body's cursor");
  }
  return Object.keys(headers).length > 0 ? { headers } : {};
}

/** Path parameters, typed by the route's `params` schema. */
function pathParameters(route: Route) {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as string);
  const shape = route.params?.shape ?? {};
  const missing = names.filter((name) => !(name in shape));
  if (missing.length > 0) throw new Error(`${route.method} ${route.path}: no schema for path parameter(s) ${missing.join(", ")}`);
  return names.map((name) => ({ name, in: "path", required: true, schema: jsonSchemaOf(shape[name] as z.ZodType) }));
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** Query parameters from a zod object schema, each with its own JSON schema. */
function queryParameters(query: z.ZodObject) {
  return Object.entries(query.shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: !(schema as z.ZodType).safeParse(undefined).success,
    schema: jsonSchemaOf(schema as z.ZodType),
  }));
}

/** Request bodies and answers by OpenAPI name, from every route table. */
function namedSchemas() {
  const requests: Record<string, z.ZodType> = { JsonValue };
  const responses: Record<string, z.ZodType> = { JsonValue, ErrorResponse, ProblemDetails };
  for (const route of ALL_ROUTES) {
    const body = route.documentedBody ?? route.body;
    if (body) requests[nameOf(body, `${route.method} ${route.path} body`)] = body;
    for (const [status, response] of Object.entries(route.responses)) {
      if (response.schema) responses[nameOf(response.schema, `${route.method} ${route.path} ${status}`)] = response.schema;
    }
  }
  return { requests, responses };
}

function componentSchemas(): Record<string, unknown> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const generate = (schemas: Record<string, z.ZodType>, io: "input" | "output") => {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
    return z.toJSONSchema(registry, { io, uri, target: "draft-2020-12" }).schemas;
  };
  const { requests, responses } = namedSchemas();
  const schemas: Record<string, unknown> = { ...generate(requests, "input"), ...generate(responses, "output") };
  // zod puts a named schema that is not in the registry under `__shared`, which OpenAPI cannot reference.
  if ("__shared" in schemas)
    throw new Error("a schema with an OpenAPI name is nested in another but answers no route of its own");
  // OpenAPI carries the dialect once for the document, and names schemas by their key.
  for (const schema of Object.values(schemas)) {
    delete (schema as { $schema?: string }).$schema;
    delete (schema as { $id?: string }).$id;
  }
  return schemas;
}

/**
 * The OpenAPI 3.1 document of one version of the HTTP API, built from the route tables and the
 * zod schemas the handlers parse with. Its paths are the versioned ones (`/api/v1/…`); the
 * current version also answers at the unversioned paths (ADR 0010).
 */
export function buildOpenApiDocument(version: ApiVersion = CURRENT_API_VERSION): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ALL_ROUTES.filter((r) => (r.versions ?? [CURRENT_API_VERSION]).includes(version))) {
    const path = versioned(route.path, version);
    const parameters = [...pathParameters(route), ...(route.query ? queryParameters(route.query) : [])];
    const body = route.documentedBody ?? route.body;
    const errors = [...(route.roles === PUBLIC ? [] : ([401, 403] as const)), ...route.errors].sort((a, b) => a - b);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: route.name,
      tags: [route.context],
      summary: `${route.summary} (${rolesOf(route)})`,
      ...(route.description ? { description: route.description } : {}),
      "x-roles": route.roles === PUBLIC ? [] : [...route.roles],
      ...(route.roles === PUBLIC ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(body
        ? {
            requestBody: {
              required: !route.optionalBody,
              content: { "application/json": { schema: ref(nameOf(body, `${route.method} ${route.path} body`)) } },
            },
          }
        : {}),
      responses: Object.fromEntries([
        ...Object.entries(route.responses).map(([code, response]) => [
          code,
          {
            description: response.description,
            ...headersOf(route, response),
            ...(response.schema
              ? { content: { "application/json": { schema: ref(nameOf(response.schema, `${route.method} ${route.path}`)) } } }
              : {}),
          },
        ]),
        ...errors.map((code) => [
          String(code),
          {
            description: ERROR_DESCRIPTIONS[code],
            content: {
              "application/json": { schema: ref("ErrorResponse") },
              "application/problem+json": { schema: ref("ProblemDetails") },
            },
          },
        ]),
      ]),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "TGE Swarm API",
      version,
      description: `Control plane for a swarm of agents that watch for token generation events. Every route needs a Cognito access token (\`Authorization: Bearer …\`) except the public ones (\`GET /api/health\`, this document). ${version === CURRENT_API_VERSION ? `${version} is the current version: every path here also answers without its \`/${version}\` segment.` : ""} Errors answer \`{"error":{…}}\`, or RFC 9457 problem details with \`Accept: application/problem+json\`. Every GET answers an \`ETag\` and 304 to a matching \`If-None-Match\`; lists link their next page in a \`Link\` header. Generated by \`npm run openapi\` from the route tables and the zod schemas the handlers use.`,
    },
    servers: [
      {
        url: "{HttpApiUrl}",
        description: "HttpApiUrl from .local/outputs.json (local) or the platform stack's outputs (AWS)",
        variables: { HttpApiUrl: { default: "http://127.0.0.1:4566/_aws/execute-api/apiId" } },
      },
    ],
    security: [{ cognitoJwt: [] }],
    paths,
    components: {
      securitySchemes: {
        cognitoJwt: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Cognito access token; `npm run token -- --user admin` prints one locally.",
        },
      },
      schemas: componentSchemas(),
    },
  };
}
