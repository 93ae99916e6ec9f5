#!/usr/bin/env node
// Installs what `npm start` and `npm test` need on a bare machine, and nothing twice:
// npm packages from the lockfile, and a project-local Python virtualenv with the pinned
// emulator. Uses only Node built-ins, because it runs before node_modules exists.
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
  // `npm install`, not `npm ci`: with the lockfile present it installs the locked versions, and
  // unlike `npm ci` it tolerates optional platform packages (rollup's, for other operating
  // systems) that a registry mirror may not carry and so are absent from the lockfile.
  step("installing npm packages from the lockfile…");
  run("npm", ["install", "--no-audit", "--no-fund"]);
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

try {
  const started = Date.now();
  ensureNodeModules();
  ensureEmulator();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (Number(seconds) > 1) step(`ready in ${seconds}s`);
} catch (error) {
  process.stderr.write(`[bootstrap] ${error.message}\n`);
  process.exit(1);
}
