import * as z from "zod";
import { PUBLIC, type RouteTable } from "./routes";

export const OpenApiDocument = z.record(z.string(), z.unknown()).meta({ id: "OpenApiDocument" });

/** The platform's own routes: the API describing itself. */
export const PLATFORM_ROUTES = {
  getOpenApiDocument: {
    method: "GET",
    path: "/api/openapi.json",
    entry: "platform/get-openapi-document",
    roles: PUBLIC,
    summary: "This API's OpenAPI 3.1 document",
    description:
      "Public: it is the published contract, holds no data, and a client needs it before it has an account. The document of the version called (`/api/v1/openapi.json`); the unversioned path gives the current version's.",
    // Seed 004's response cache: it changes only with a deploy.
    cache: "public, max-age=300",
    responses: { 200: { description: "The OpenAPI document", schema: OpenApiDocument } },
    errors: [],
  },
} as const satisfies RouteTable;
