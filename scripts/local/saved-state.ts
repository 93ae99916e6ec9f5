import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as z from "zod";

/**
 * The services whose state a deployed swarm cannot do without. A save that lacks any of them
 * is incomplete however it ended (the emulator writes one file per service it has state for).
 */
export const ESSENTIAL_SERVICE_FILES = [
  "apigateway.json",
  "cloudformation.json",
  "cognito.json",
  "dynamodb.json",
  "ecs.json",
  "eventbridge.json",
  "iam.json",
  "lambda.json",
  "sqs.json",
] as const;

/** The record of what was deployed into the emulator whose state was saved. */
export const DeployRecord = z.object({
  endpoint: z.string(),
  /** `deployFingerprint()` of what was deployed. */
  fingerprint: z.string(),
  /** Each stack's outputs, as `cdk deploy --outputs-file` writes them. */
  outputs: z.record(z.string(), z.record(z.string(), z.string())),
});
export type DeployRecord = z.infer<typeof DeployRecord>;

/**
 * Written beside the emulator's files once a save is known to be whole; removed before a save
 * starts. A state directory without it, or whose files no longer match it, is never trusted.
 */
export const SaveRecord = z.object({
  version: z.literal(1),
  savedAt: z.iso.datetime(),
  /** The emulator's port: queue URLs in the state (and in function environments) carry it. */
  port: z.number().int(),
  /** Every top-level file of the save with its size in bytes. */
  files: z.record(z.string(), z.number().int()),
  deploy: DeployRecord.optional(),
});
export type SaveRecord = z.infer<typeof SaveRecord>;

/** The record's own name; no emulator service is named with a leading underscore. */
export const SAVE_RECORD_FILE = "_tge-swarm-save.json";

/** A top-level file of the state directory and its size. */
export interface StateFile {
  readonly name: string;
  readonly bytes: number;
}

export type SavedStateVerdict =
  | { readonly kind: "none" }
  | { readonly kind: "whole"; readonly record: SaveRecord }
  | { readonly kind: "incomplete"; readonly problems: readonly string[] };

/**
 * Whether a state directory holds one whole save: no `.tmp` file (a save was cut off mid-file),
 * a record of a save that ended well, and exactly the files that record lists, at their sizes
 * (a save cut off between files leaves some new and some old). An empty directory holds none.
 */
export function judgeSavedState(files: readonly StateFile[], record: SaveRecord | undefined): SavedStateVerdict {
  const saved = files.filter((file) => file.name !== SAVE_RECORD_FILE);
  if (saved.length === 0 && !record) return { kind: "none" };
  const problems: string[] = [];
  const partial = saved.filter((file) => file.name.endsWith(".tmp")).map((file) => file.name);
  if (partial.length > 0) problems.push(`a save was cut off while writing ${partial.join(", ")}`);
  const names = new Set(saved.map((file) => file.name));
  const lost = ESSENTIAL_SERVICE_FILES.filter((name) => !names.has(name));
  if (lost.length > 0) problems.push(`services missing: ${lost.join(", ")}`);
  if (!record) {
    problems.push("there is no record of a save that ended well (the emulator was stopped while saving, or by an older script)");
  } else {
    const present = new Map(saved.map((file) => [file.name, file.bytes]));
    const missing = Object.keys(record.files).filter((name) => !present.has(name));
    if (missing.length > 0) problems.push(`missing since the save: ${missing.join(", ")}`);
    const changed = Object.entries(record.files)
      .filter(([name, bytes]) => present.has(name) && present.get(name) !== bytes)
      .map(([name]) => name);
    if (changed.length > 0) problems.push(`changed since the save: ${changed.join(", ")}`);
  }
  return problems.length > 0 ? { kind: "incomplete", problems } : { kind: "whole", record: record as SaveRecord };
}

/** The state directory's top-level files; directories (S3 bodies, code blobs, keys) travel with them. */
function listStateFiles(stateDir: string): StateFile[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir).flatMap((name) => {
    const stat = statSync(path.join(stateDir, name), { throwIfNoEntry: false });
    return stat?.isFile() ? [{ name, bytes: stat.size }] : [];
  });
}

function readRecord(stateDir: string): SaveRecord | undefined | "unreadable" {
  const file = path.join(stateDir, SAVE_RECORD_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = SaveRecord.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : "unreadable";
}

/** Judges the emulator's saved state in `stateDir` (see `judgeSavedState`). */
export function inspectSavedState(stateDir: string): SavedStateVerdict {
  let record: ReturnType<typeof readRecord>;
  try {
    record = readRecord(stateDir);
  } catch {
    record = "unreadable";
  }
  if (record === "unreadable") return { kind: "incomplete", problems: [`${SAVE_RECORD_FILE} is unreadable`] };
  return judgeSavedState(listStateFiles(stateDir), record);
}

/**
 * What a finished stop says about the save: whole only if the emulator exited by itself with
 * status 0, logged no failure to save a service, left no `.tmp` file, and wrote every
 * essential service.
 */
export function saveProblems(stop: { exitedCleanly: boolean; stopLog: string }, files: readonly StateFile[]): string[] {
  const problems: string[] = [];
  if (!stop.exitedCleanly) problems.push("the emulator did not finish its save (it was killed, or exited with an error)");
  const failures = stop.stopLog.split("\n").filter((line) => /Persistence: (failed to save|error getting state)/.test(line));
  if (failures.length > 0)
    problems.push(`the emulator could not save every service: ${failures.map((l) => l.trim()).join("; ")}`);
  const partial = files.filter((file) => file.name.endsWith(".tmp")).map((file) => file.name);
  if (partial.length > 0) problems.push(`it left ${partial.join(", ")}`);
  const names = new Set(files.map((file) => file.name));
  const missing = ESSENTIAL_SERVICE_FILES.filter((name) => !names.has(name));
  if (missing.length > 0) problems.push(`it wrote no ${missing.join(", ")}`);
  return problems;
}

/** Removes the record before the emulator overwrites its files: from now until a whole save, the directory is untrusted. */
export function beginSave(stateDir: string): void {
  rmSync(path.join(stateDir, SAVE_RECORD_FILE), { force: true });
}

/**
 * Records a save after the emulator stopped, if it was whole (see `saveProblems`); otherwise
 * leaves the directory unrecorded, so the next start discards it. Answers the problems found.
 */
export function recordSave(
  stateDir: string,
  stop: { exitedCleanly: boolean; stopLog: string },
  context: { port: number; deploy?: DeployRecord; now?: Date },
): string[] {
  const files = listStateFiles(stateDir).filter((file) => file.name !== SAVE_RECORD_FILE);
  const problems = saveProblems(stop, files);
  if (problems.length > 0) return problems;
  const record: SaveRecord = {
    version: 1,
    savedAt: (context.now ?? new Date()).toISOString(),
    port: context.port,
    files: Object.fromEntries(files.map((file) => [file.name, file.bytes])),
    ...(context.deploy ? { deploy: context.deploy } : {}),
  };
  writeRecord(stateDir, record);
  return [];
}

/**
 * Re-records a whole save after our own repairs changed its files (see restore-repairs.ts), so
 * the repaired files are what a later start expects to find.
 */
export function refreshRecord(stateDir: string, record: SaveRecord): SaveRecord {
  const files = listStateFiles(stateDir).filter((file) => file.name !== SAVE_RECORD_FILE);
  const refreshed: SaveRecord = { ...record, files: Object.fromEntries(files.map((file) => [file.name, file.bytes])) };
  writeRecord(stateDir, refreshed);
  return refreshed;
}

function writeRecord(stateDir: string, record: SaveRecord): void {
  const file = path.join(stateDir, SAVE_RECORD_FILE);
  writeFileSync(`${file}.partial`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.partial`, file);
}

/** Empties the state directory, so the emulator starts fresh. */
export function discardSavedState(stateDir: string): void {
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
}

/** The bytes a state directory holds, all files included. */
export function stateBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, name) => {
    const full = path.join(dir, name);
    const stat = statSync(full, { throwIfNoEntry: false });
    return sum + (stat?.isDirectory() ? stateBytes(full) : (stat?.size ?? 0));
  }, 0);
}
