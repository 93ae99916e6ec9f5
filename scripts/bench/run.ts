// npm run bench -- <scenario>
// Starts a fresh local environment (an emulator on a free port; for most scenarios also the
// deployed stack and agents), runs one benchmark scenario, and writes its figures to
// bench/results/<scenario>.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import * as path from "node:path";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { loadStageConfig } from "../../lib/config/stage-config";
import { setAgentCounts } from "../local/agent-counts";
import { useEmulator } from "../local/aws-env";
import { freePort, startEmulator } from "../local/emulator";
import { type LocalEnvironment, startLocalEnvironment } from "../local/environment";
import { LOCAL_DIR, REPO_ROOT, VENV_DIR } from "../local/paths";
import { apiBenchmark } from "./api";
import { conditionalRequestsBenchmark } from "./conditional";
import { coordinationBenchmark } from "./coordination";
import { detectionBenchmark } from "./detection";
import { fanoutBenchmark } from "./fanout";
import { initTimeBenchmark } from "./init-time";
import { modelsBenchmark } from "./models";
import { jobsBenchmark } from "./jobs";
import { metricsBenchmark } from "./metrics";
import { optimizationBenchmark } from "./optimization";
import { orchestrationBenchmark } from "./orchestration";
import { restartBenchmark } from "./restart";
import { roomsBenchmark } from "./rooms";
import { spineBenchmark } from "./spine";

type Scenario =
  | { deployed: true; requestLog?: boolean; run: (environment: LocalEnvironment) => Promise<unknown> }
  | { deployed: false; run: () => Promise<unknown> }
  /** Starts and stops its own environments (the restart scenario). */
  | { deployed: "by-itself"; run: () => Promise<unknown> };

/** 1,000 tasks through the pipeline with a dashboard on `tasks`; the AWS requests per task from the emulator's request log. */
const orchestrationScenario = (submit: "single" | "batch"): Scenario => ({
  deployed: true,
  requestLog: true,
  run: ({ outputs, emulator }) => {
    if (!emulator.logFile) throw new Error("the orchestration benchmark needs an emulator it started (its request log)");
    return orchestrationBenchmark(outputs, {
      tasks: 1_000,
      concurrency: submit === "single" ? 32 : 4,
      agentConcurrency: loadStageConfig("local", process.env).maxConcurrentTasksPerAgent,
      emulatorLog: emulator.logFile,
      submit,
    });
  },
});

const SCENARIOS: Record<string, Scenario> = {
  spine: { deployed: true, run: ({ outputs }) => spineBenchmark(outputs, { tasks: 20 }) },
  detection: { deployed: true, run: ({ outputs, feed }) => detectionBenchmark(outputs, feed, { intervalMs: 500 }) },
  orchestration: orchestrationScenario("single"),
  "orchestration-batch": orchestrationScenario("batch"),
  fanout: { deployed: true, run: ({ outputs }) => fanoutBenchmark(outputs, { connections: 500, rounds: 5 }) },
  init: { deployed: false, run: () => initTimeBenchmark({ functionsPerVariant: 7 }) },
  conditional: { deployed: true, run: ({ outputs }) => conditionalRequestsBenchmark(outputs, { rounds: 40 }) },
  optimization: {
    deployed: true,
    run: ({ outputs }) =>
      optimizationBenchmark(outputs, {
        runs: 20,
        verificationWindowSeconds: loadStageConfig("local", process.env).verificationWindowSeconds,
      }),
  },
  models: { deployed: true, run: ({ outputs }) => modelsBenchmark(outputs, { reads: 200, warmup: 20 }) },
  jobs: { deployed: true, run: ({ outputs }) => jobsBenchmark(outputs, { jobs: 10, candidates: 40, baselineEvents: 20 }) },
  metrics: { deployed: true, run: ({ outputs }) => metricsBenchmark(outputs, { rounds: 20, reads: 30 }) },
  restart: { deployed: "by-itself", run: () => restartBenchmark({ tasks: 200, sleepMs: 1_500 }) },
  rooms: { deployed: true, run: ({ outputs }) => roomsBenchmark(outputs, { members: 500, inFlight: 25, messages: 5 }) },
  api: { deployed: true, run: ({ outputs }) => apiBenchmark(outputs, { seconds: 20, concurrency: 16, users: 8 }) },
  coordination: {
    deployed: false,
    run: () => coordinationBenchmark({ rounds: 200, contenders: 20, seconds: 10, inFlight: 32 }),
  },
};

const name = process.argv[2] ?? "";
const scenario = SCENARIOS[name];
if (!scenario) {
  console.error(`usage: npm run bench -- <${Object.keys(SCENARIOS).join("|")}>`);
  process.exit(2);
}

const log = (line: string) => console.log(`[bench] ${line.trim()}`);
const emulatorVersion = () =>
  execFileSync(path.join(VENV_DIR, "bin", "python"), ["-c", "import importlib.metadata as m; print(m.version('ministack'))"], {
    encoding: "utf8",
  }).trim();

async function runScenario(): Promise<unknown> {
  delete process.env.AWS_ENDPOINT_URL;
  // Benchmarks size the fleet themselves; no schedule may change it mid-run.
  Object.assign(process.env, { TGE_AUTO_SCALING: "false", TGE_AUTO_RECOVERY: "false", TGE_METRICS_REVIEW_MINUTES: "0" });
  if (scenario?.deployed === "by-itself") {
    log(`running ${name}…`);
    return scenario.run();
  }
  const port = await freePort();
  if (scenario?.deployed) {
    const environment = await startLocalEnvironment({
      workDir: path.join(LOCAL_DIR, "bench"),
      port,
      forceDeploy: true,
      ...(scenario.requestLog ? { requestLog: true } : {}),
      log,
    });
    try {
      // One agent per type, as the figures before the fleet was sized by load were measured.
      await setAgentCounts(environment.outputs, Object.fromEntries(AGENT_TYPES.map((type) => [type, 1])));
      await environment.fleet.settled(AGENT_TYPES.length, 60_000);
      log(`running ${name}…`);
      return await scenario.run(environment);
    } finally {
      await environment.stop();
    }
  }
  const emulator = await startEmulator({ port });
  useEmulator(emulator.endpoint);
  try {
    log(`running ${name}…`);
    return await (scenario as { run: () => Promise<unknown> }).run();
  } finally {
    await emulator.stop();
  }
}

const figures = await runScenario();
const result = {
  scenario: name,
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  emulator: `ministack ${emulatorVersion()}`,
  figures,
};
const file = path.join(REPO_ROOT, "bench", "results", `${name}.json`);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(figures, null, 2));
log(`written to ${path.relative(REPO_ROOT, file)}`);
