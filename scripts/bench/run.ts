// npm run bench -- <scenario>
// Starts a fresh local environment (emulator on a free port, deploy, agents), runs one
// benchmark scenario against it, and writes the figures to bench/results/<scenario>.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import * as path from "node:path";
import { AGENT_TYPES } from "#core/agents/domain/agent-types";
import { freePort } from "../local/emulator";
import { startLocalEnvironment } from "../local/environment";
import { LOCAL_DIR, REPO_ROOT, VENV_DIR } from "../local/paths";
import { spineBenchmark } from "./spine";

const SCENARIOS = {
  spine: (outputs: Parameters<typeof spineBenchmark>[0]) => spineBenchmark(outputs, { tasks: 20 }),
} as const;

const name = process.argv[2] as keyof typeof SCENARIOS | undefined;
if (!name || !(name in SCENARIOS)) {
  console.error(`usage: npm run bench -- <${Object.keys(SCENARIOS).join("|")}>`);
  process.exit(2);
}

function emulatorVersion(): string {
  return execFileSync(
    path.join(VENV_DIR, "bin", "python"),
    ["-c", "import importlib.metadata as m; print(m.version('ministack'))"],
    { encoding: "utf8" },
  ).trim();
}

delete process.env.AWS_ENDPOINT_URL;
const environment = await startLocalEnvironment({
  workDir: path.join(LOCAL_DIR, "bench"),
  port: await freePort(),
  forceDeploy: true,
  agentTypes: AGENT_TYPES,
  agentIdPrefix: "bench",
  log: (line) => console.log(`[bench] ${line.trim()}`),
});
try {
  console.log(`[bench] running ${name}…`);
  const figures = await SCENARIOS[name](environment.outputs);
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
  console.log(`[bench] written to ${path.relative(REPO_ROOT, file)}`);
} finally {
  await environment.stop();
}
