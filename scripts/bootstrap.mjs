#!/usr/bin/env node
// Installs what `npm start` and `npm test` need on a bare machine, and nothing twice:
// npm packages from the lockfile, a project-local Python virtualenv with the pinned
// emulator, and (for `npm test` only) Chromium for the dashboard's browser test. Uses only
// Node built-ins, because it runs before node_modules exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const local = join(root, ".local");
const venv = join(local, "venv");
const requirements = join(root, "scripts", "local", "requirements.txt");

const step = (message) => process.stdout.write(`[bootstrap] ${message}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}`);
}

function ensureNodeModules() {
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  // `npm ci`, not `npm install`: it installs exactly what the lockfile says and never rewrites
  // it, so a fresh clone stays clean. That needs a lockfile that lists every platform's
  // optional packages (esbuild's, rollup's, fsevents); test/unit/architecture/lockfile.test.ts
  // checks it does. A lockfile out of step with package.json stops here, naming the package.
  step("installing npm packages from the lockfile (npm ci)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

function findPython() {
  for (const candidate of ["python3.12", "python3.11", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import sys, venv; print(sys.version_info >= (3, 10))"], { encoding: "utf8" });
    if (probe.status === 0 && probe.stdout.trim() === "True") return candidate;
  }
  throw new Error("Python 3.10 or newer with the venv module is needed for the local emulator; none was found on PATH.");
}

function ensureEmulator() {
  mkdirSync(local, { recursive: true });
  const wanted = createHash("sha256").update(readFileSync(requirements)).digest("hex");
  const stamp = join(venv, ".requirements.sha256");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return;
  if (!existsSync(join(venv, "bin", "python"))) {
    step("creating the Python virtualenv in .local/venv…");
    run(findPython(), ["-m", "venv", venv]);
  }
  step("installing the pinned emulator (MiniStack) into .local/venv…");
  run(join(venv, "bin", "python"), [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "--no-input",
    "-r",
    requirements,
  ]);
  writeFileSync(stamp, wanted);
}

/** Where test/e2e/dashboard launches the browser from (Debian's `chromium` package). */
const CHROMIUM = "/usr/bin/chromium";

/** Runs apt-get as root, directly or through passwordless sudo; throws when neither is possible. */
function aptGet(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (process.getuid?.() === 0) return run("apt-get", args, { env });
  if (spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0) {
    return run("sudo", ["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args], { env });
  }
  throw new Error(
    `installing packages needs root or passwordless sudo; run \`sudo apt-get install -y chromium\` once, then try again.`,
  );
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    throw new Error(`the dashboard's browser test needs Chromium at ${CHROMIUM}; install it with your package manager.`);
  }
  step(`installing Chromium for the dashboard's browser test (apt-get install chromium)…`);
  try {
    aptGet(["install", "-y", "chromium"]);
  } catch (error) {
    if (/root or passwordless sudo/.test(error.message)) throw error;
    // A bare machine's package lists are often empty or stale: refresh them once and retry.
    step("apt-get install failed; running apt-get update and trying again…");
    aptGet(["update"]);
    aptGet(["install", "-y", "chromium"]);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing.`);
  step(`Chromium ready at ${CHROMIUM}`);
}

try {
  const started = Date.now();
  ensureNodeModules();
  ensureEmulator();
  // Only the tests drive a browser; `npm start` must not need root.
  if (process.env.npm_lifecycle_event === "pretest") ensureChromium();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (Number(seconds) > 1) step(`ready in ${seconds}s`);
} catch (error) {
  process.stderr.write(`[bootstrap] ${error.message}\n`);
  process.exit(1);
}
