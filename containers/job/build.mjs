#!/usr/bin/env node
// Bundles the job runner into one ESM file: used by the Dockerfile and by the local fleet.
// Usage: node containers/job/build.mjs <outdir>
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "dist"));

await build({
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(outdir, "job.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  mainFields: ["module", "main"],
  sourcemap: true,
  sourcesContent: false,
  minify: true,
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
console.log(join(outdir, "job.mjs"));
