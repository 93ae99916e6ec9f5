// npm run openapi — regenerates docs/api/openapi.json from the route list and zod schemas.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../local/paths";
import { buildOpenApiDocument } from "./document";

export const OPENAPI_FILE = path.join(REPO_ROOT, "docs", "api", "openapi.json");

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  console.log(`wrote ${path.relative(REPO_ROOT, OPENAPI_FILE)}`);
}
