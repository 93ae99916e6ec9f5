import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** Where the local environment keeps its files; everything under `.local/` is disposable. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const LOCAL_DIR = path.join(REPO_ROOT, ".local");
export const VENV_DIR = path.join(LOCAL_DIR, "venv");
export const LOGS_DIR = path.join(LOCAL_DIR, "logs");
export const BUILD_DIR = path.join(LOCAL_DIR, "build");
export const OUTPUTS_FILE = path.join(LOCAL_DIR, "outputs.json");
