// npm run openapi — regenerates docs/api/openapi.json and docs/api/routes.md from the route tables and zod schemas.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../local/paths";
import { buildOpenApiDocument } from "./document";
import { roleMatrix } from "./role-matrix";

export const OPENAPI_FILE = path.join(REPO_ROOT, "docs", "api", "openapi.json");
export const ROLE_MATRIX_FILE = path.join(REPO_ROOT, "docs", "api", "routes.md");

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  writeFileSync(ROLE_MATRIX_FILE, roleMatrix());
  console.log(`wrote ${path.relative(REPO_ROOT, OPENAPI_FILE)} and ${path.relative(REPO_ROOT, ROLE_MATRIX_FILE)}`);
}
