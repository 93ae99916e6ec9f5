import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * How long a stopping emulator may take to save its state, from how much memory it holds: at
 * least 30 s, plus a second per 5 MB. Its save writes each service's state as JSON, about
 * 23 MB/s on this 2-core machine (214 MB of DynamoDB items in 9 s, `npm start` state of 5 MB in
 * under a second), so the bound allows for a machine four times slower, or four times as busy.
 * The resident size stands in for the state's size because the state lives in that memory and
 * no API reports it (DynamoDB's `TableSizeBytes` counts a fifth of what a table holds).
 */
export function saveBoundMs(residentBytes: number): number {
  return 30_000 + Math.ceil(residentBytes / 5_000_000) * 1_000;
}

/** The resident memory of one process, in bytes, or 0 when it cannot be read (it has exited). */
export function residentBytes(pid: number): number {
  const result = spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
  const kib = Number(result.stdout.trim());
  return Number.isFinite(kib) ? kib * 1024 : 0;
}

/** What a save in progress has written so far: files renamed into place, and the one being written. */
export interface SaveProgress {
  readonly written: number;
  readonly writing?: { readonly name: string; readonly bytes: number };
}

/** Reads a save's progress from the state directory: files written since `sinceMs`, and any `.tmp` open now. */
export function saveProgress(stateDir: string, sinceMs: number): SaveProgress {
  let written = 0;
  let writing: SaveProgress["writing"];
  for (const name of readdirSync(stateDir)) {
    const stat = statSync(path.join(stateDir, name), { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    if (name.endsWith(".tmp")) writing = { name: name.slice(0, -".tmp".length), bytes: stat.size };
    else if (name.endsWith(".json") && stat.mtimeMs >= sinceMs) written += 1;
  }
  return { written, ...(writing ? { writing } : {}) };
}

export const describeProgress = (progress: SaveProgress): string =>
  `${progress.written} service file${progress.written === 1 ? "" : "s"} written` +
  (progress.writing ? `, writing ${progress.writing.name} (${(progress.writing.bytes / 1e6).toFixed(1)} MB so far)` : "");

export interface ExitWaitOptions {
  /** Resolves once the process has exited. */
  readonly exited: Promise<unknown>;
  readonly boundMs: number;
  /** Called every `everyMs` while waiting, with the seconds waited so far. */
  readonly progress: (seconds: number) => void;
  /** @default 2000 */
  readonly everyMs?: number;
}

/**
 * Waits for a process to exit by itself, reporting progress, for at most `boundMs`. Answers
 * whether it exited in time; the caller decides what a timeout means (a kill, a half-saved state).
 */
export async function awaitExit(options: ExitWaitOptions): Promise<boolean> {
  const started = Date.now();
  const everyMs = options.everyMs ?? 2_000;
  let ticker: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      options.exited.then(() => true),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(false), options.boundMs);
        ticker = setInterval(() => options.progress(Math.round((Date.now() - started) / 1_000)), everyMs);
      }),
    ]);
  } finally {
    clearTimeout(deadline);
    clearInterval(ticker);
  }
}
