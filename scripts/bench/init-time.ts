import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { build, type BuildOptions } from "esbuild";
import { LOCAL_DIR, REPO_ROOT } from "../local/paths";
import { zip } from "../local/zip";
import { summarize } from "./stats";

const HANDLER = path.join(REPO_ROOT, "functions", "tasks", "get-task.ts");
const CORE = path.join(REPO_ROOT, "layers");
/** The package.json import aliases that point into layers/ (`#kernel/…`, `#tasks/…`, …). */
const LAYER_ALIAS = new RegExp(
  `^(${Object.entries(JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).imports as Record<string, string>)
    .filter(([, target]) => target.startsWith("./layers/"))
    .map(([alias]) => alias.replace("/*", "/"))
    .join("|")})`,
);
const OUT = path.join(LOCAL_DIR, "bench", "init-time");
const COMMON: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  mainFields: ["module", "main"],
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

function filesUnder(dir: string, base = dir): Record<string, Buffer> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? Object.entries(filesUnder(full, base)) : [[path.relative(base, full), readFileSync(full)]];
    }),
  );
}

/** As the CDK deploys it: one tree-shaken bundle with the shared code and the SDK inside. */
async function bundled(): Promise<Buffer> {
  const outdir = path.join(OUT, "bundled");
  await build({ ...COMMON, entryPoints: [HANDLER], outfile: path.join(outdir, "index.mjs") });
  return zip(filesUnder(outdir));
}

/**
 * As a layer would ship it: every module of layers/ (with its dependencies) built once
 * into a package in the layer, and a handler bundle that imports from that package.
 */
async function layered(): Promise<{ layer: Buffer; code: Buffer }> {
  const coreModules = (filesUnder(CORE) && Object.keys(filesUnder(CORE))).filter((file) => file.endsWith(".ts"));
  const packageDir = path.join(OUT, "layer", "nodejs", "node_modules", "@tge-swarm", "core");
  await build({
    ...COMMON,
    entryPoints: coreModules.map((file) => path.join(CORE, file)),
    outdir: packageDir,
    outbase: CORE,
    splitting: true,
    outExtension: { ".js": ".mjs" },
  });
  const layerFiles = filesUnder(path.join(OUT, "layer"));
  layerFiles["nodejs/node_modules/@tge-swarm/core/package.json"] = Buffer.from(
    JSON.stringify({ name: "@tge-swarm/core", type: "module" }),
  );
  const outdir = path.join(OUT, "layered");
  await build({
    ...COMMON,
    entryPoints: [HANDLER],
    outfile: path.join(outdir, "index.mjs"),
    plugins: [
      {
        name: "core-from-layer",
        setup(builder) {
          builder.onResolve({ filter: LAYER_ALIAS }, (args) => ({
            path: `@tge-swarm/core/${args.path.slice(1)}.mjs`,
            external: true,
          }));
        },
      },
    ],
  });
  return { layer: zip(layerFiles), code: zip(filesUnder(outdir)) };
}

/**
 * Cold-start cost of the two ways to ship shared code (ADR 0002): the first invocation of a
 * new function minus its warm median, over several fresh functions per variant.
 */
export async function initTimeBenchmark(options: { functionsPerVariant: number }) {
  const lambda = new LambdaClient({});
  const Role = "arn:aws:iam::000000000000:role/bench";
  const environment = {
    Variables: { TASKS_TABLE: "bench-tasks", POWERTOOLS_LOG_LEVEL: "WARN", POWERTOOLS_METRICS_DISABLED: "true" },
  };
  // Invalid on purpose (no taskId): the handler parses and answers 400 without calling DynamoDB.
  const event = JSON.stringify({
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: "bench" },
    pathParameters: {},
  });
  const stamp = Date.now();

  const measure = async (name: string, code: Buffer, layers: string[] = []) => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Role,
        Handler: "index.handler",
        Code: { ZipFile: code },
        Layers: layers,
        Environment: environment,
        MemorySize: 512,
      }),
    );
    const time = async () => {
      const started = performance.now();
      const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: event }));
      if (result.FunctionError) throw new Error(`${name} failed: ${Buffer.from(result.Payload ?? []).toString()}`);
      const body = JSON.parse(Buffer.from(result.Payload ?? []).toString()) as { statusCode: number };
      if (body.statusCode !== 400) throw new Error(`${name} answered ${body.statusCode}, expected 400`);
      return performance.now() - started;
    };
    const cold = await time();
    const warm = [await time(), await time(), await time()].sort((a, b) => a - b)[1] as number;
    return { cold, warm, init: cold - warm };
  };

  const a = await bundled();
  const b = await layered();
  const { LayerVersionArn } = await lambda.send(
    new PublishLayerVersionCommand({
      LayerName: `bench-core-${stamp}`,
      Content: { ZipFile: b.layer },
      CompatibleRuntimes: ["nodejs22.x"],
    }),
  );
  const results = { bundled: [] as Awaited<ReturnType<typeof measure>>[], layer: [] as Awaited<ReturnType<typeof measure>>[] };
  // Alternate the variants so neither benefits from a warmer machine.
  for (let i = 0; i < options.functionsPerVariant; i++) {
    results.bundled.push(await measure(`bench-bundled-${stamp}-${i}`, a));
    results.layer.push(await measure(`bench-layer-${stamp}-${i}`, b.code, [LayerVersionArn as string]));
  }
  lambda.destroy();
  const report = (runs: typeof results.bundled) => ({
    initMs: summarize(runs.map((r) => r.init)),
    coldInvokeMs: summarize(runs.map((r) => r.cold)),
    warmInvokeMs: summarize(runs.map((r) => r.warm)),
  });
  return {
    handler: "functions/tasks/get-task.ts",
    functionsPerVariant: options.functionsPerVariant,
    bundled: { functionZipKiB: Math.round(a.length / 1024), ...report(results.bundled) },
    layer: {
      functionZipKiB: Math.round(b.code.length / 1024),
      layerZipKiB: Math.round(b.layer.length / 1024),
      ...report(results.layer),
    },
  };
}
