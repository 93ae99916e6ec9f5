// Builds the dashboard page: web/src → one ES module and one stylesheet, beside a copy of
// index.html, in a folder that is the whole site. The local dashboard server, the web stack and
// `npm run build:web` all build through here.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, buildSync } from "esbuild";

export const DASHBOARD_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build:web` and the local server put the page. */
export const DASHBOARD_DIST = path.join(DASHBOARD_DIR, "dist");
const INDEX_HTML = path.join(DASHBOARD_DIR, "index.html");
/** The API reference at /docs: its page, and Swagger UI's browser bundle from swagger-ui-dist. */
const DOCS_FILES = [
  { name: "docs/index.html", from: path.join(DASHBOARD_DIR, "docs", "index.html") },
  ...["swagger-ui-bundle.js", "swagger-ui.css"].map((file) => ({
    name: `docs/${file}`,
    from: path.join(DASHBOARD_DIR, "..", "node_modules", "swagger-ui-dist", file),
  })),
];

export interface DashboardBuildOptions {
  /** The folder to write the site into; emptied first. */
  readonly outdir: string;
  /** Minify, for AWS. @default false: readable output for local development */
  readonly minify?: boolean;
}

const esbuildOptions = (outdir: string, minify: boolean): BuildOptions => ({
  entryPoints: [
    path.join(DASHBOARD_DIR, "src", "main.ts"),
    path.join(DASHBOARD_DIR, "src", "docs.ts"),
    path.join(DASHBOARD_DIR, "src", "main.css"),
  ],
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  // Evergreen browsers only: the page is for operators, not the public.
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  minify,
  sourcemap: minify ? false : "linked",
  legalComments: "none",
  logLevel: "silent",
  // The page must not pick up Node's process.env at build time.
  define: { "process.env.NODE_ENV": minify ? '"production"' : '"development"' },
});

/**
 * Builds the page into `outdir` (async, for the local server).
 *
 * @example
 * await buildDashboard({ outdir: DASHBOARD_DIST }); // → dist/index.html, dist/main.js, dist/main.css
 */
export async function buildDashboard(options: DashboardBuildOptions): Promise<void> {
  rmSync(options.outdir, { recursive: true, force: true });
  await build(esbuildOptions(options.outdir, options.minify ?? false));
  copyFileSync(INDEX_HTML, path.join(options.outdir, "index.html"));
  mkdirSync(path.join(options.outdir, "docs"), { recursive: true });
  for (const file of DOCS_FILES) copyFileSync(file.from, path.join(options.outdir, file.name));
}

/**
 * Builds the page at CDK synth time into a folder named after its content under the system's
 * temp folder, and returns that folder. Same sources, same folder: concurrent synths (the infra
 * tests run several) never write into a folder another one is reading, and an unchanged page
 * keeps its asset hash.
 */
export function buildDashboardForDeploy(): string {
  const result = buildSync({ ...esbuildOptions("/site", true), write: false });
  const files = [
    ...result.outputFiles.map((file) => ({ name: path.relative("/site", file.path), contents: Buffer.from(file.contents) })),
    { name: "index.html", contents: readFileSync(INDEX_HTML) },
    ...DOCS_FILES.map((file) => ({ name: file.name, contents: readFileSync(file.from) })),
  ].sort((a, b) => a.name.localeCompare(b.name));
  const hash = createHash("sha256");
  for (const file of files) hash.update(file.name).update("\0").update(file.contents).update("\0");
  const dir = path.join(tmpdir(), "tge-swarm-dashboard", hash.digest("hex").slice(0, 16));
  if (existsSync(dir)) return dir;
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  for (const file of files) {
    mkdirSync(path.dirname(path.join(staging, file.name)), { recursive: true });
    writeFileSync(path.join(staging, file.name), file.contents);
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another synth finished the same build first; its folder has the same files.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}

// `npm run build:web [-- --minify]`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildDashboard({ outdir: DASHBOARD_DIST, minify: process.argv.includes("--minify") }).then(
    () => console.log(`[dashboard] built into ${path.relative(process.cwd(), DASHBOARD_DIST)} in ${Date.now() - started} ms`),
    (error: unknown) => {
      console.error(`[dashboard] build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
