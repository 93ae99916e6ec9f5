// npm run openapi — regenerates docs/api/<version>/openapi.json and docs/api/routes.md from the route tables and zod schemas.
import { mkdirSync, writeFileSync } from "node:fs";
import { API_VERSIONS, type ApiVersion } from "#shared/routes";
import * as path from "node:path";
import { REPO_ROOT } from "../local/paths";
import { buildOpenApiDocument } from "./document";
import { roleMatrix } from "./role-matrix";

/** Where each API version's OpenAPI document is committed (and bundled into `GET /api/openapi.json`). */
export const openApiFile = (version: ApiVersion) => path.join(REPO_ROOT, "docs", "api", version, "openapi.json");
export const ROLE_MATRIX_FILE = path.join(REPO_ROOT, "docs", "api", "routes.md");

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const version of Object.keys(API_VERSIONS) as ApiVersion[]) {
    mkdirSync(path.dirname(openApiFile(version)), { recursive: true });
    writeFileSync(openApiFile(version), `${JSON.stringify(buildOpenApiDocument(version), null, 2)}\n`);
    console.log(`wrote ${path.relative(REPO_ROOT, openApiFile(version))}`);
  }
  writeFileSync(ROLE_MATRIX_FILE, roleMatrix());
  console.log(`wrote ${path.relative(REPO_ROOT, ROLE_MATRIX_FILE)}`);
}
