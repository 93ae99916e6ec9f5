import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  beginSave,
  ESSENTIAL_SERVICE_FILES,
  inspectSavedState,
  judgeSavedState,
  recordSave,
  refreshRecord,
  SAVE_RECORD_FILE,
  type SaveRecord,
  saveProblems,
} from "../../../scripts/local/saved-state";

const essentials = ESSENTIAL_SERVICE_FILES.map((name) => ({ name, bytes: 100 }));
const record = (files: Record<string, number>): SaveRecord => ({
  version: 1,
  savedAt: "2026-12-01T10:00:00.000Z",
  port: 4566,
  files,
});
const clean = { exitedCleanly: true, stopLog: "" };

const dirs: string[] = [];
const stateDir = (files: Record<string, string> = {}) => {
  const dir = mkdtempSync(path.join(tmpdir(), "saved-state-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("judgeSavedState", () => {
  it("finds nothing in an empty directory, and a whole save when the files are those the record lists", () => {
    expect(judgeSavedState([], undefined)).toEqual({ kind: "none" });
    const saved = record(Object.fromEntries(essentials.map((file) => [file.name, file.bytes])));
    expect(judgeSavedState(essentials, saved)).toEqual({ kind: "whole", record: saved });
  });

  it("refuses a save cut off mid-file (.tmp), one with services missing or no record, and one whose files went missing or changed since", () => {
    const files = [...essentials, { name: "s3.json", bytes: 20 }];
    const saved = record(Object.fromEntries(files.map((file) => [file.name, file.bytes])));
    // What the issue found after a stop killed 15 s into its save.
    const halfSaved = [
      { name: "cloudformation.json", bytes: 3_000_000 },
      { name: "cognito.json", bytes: 9_000 },
      { name: "dynamodb.json.tmp", bytes: 61_000_000 },
    ];
    expect(judgeSavedState(halfSaved, undefined)).toEqual({
      kind: "incomplete",
      problems: [
        "a save was cut off while writing dynamodb.json.tmp",
        "services missing: apigateway.json, dynamodb.json, ecs.json, eventbridge.json, iam.json, lambda.json, sqs.json",
        expect.stringContaining("there is no record of a save that ended well"),
      ],
    });
    expect(judgeSavedState(essentials, saved)).toEqual({ kind: "incomplete", problems: ["missing since the save: s3.json"] });
    expect(judgeSavedState([...essentials, { name: "s3.json", bytes: 21 }], saved)).toEqual({
      kind: "incomplete",
      problems: ["changed since the save: s3.json"],
    });
  });
});

describe("saveProblems", () => {
  it("passes a stop that exited by itself, logged no failure and wrote every essential service", () => {
    expect(saveProblems(clean, essentials)).toEqual([]);
  });

  it("names a killed save, a service that failed to save, a leftover .tmp and a missing service", () => {
    const problems = saveProblems(
      { exitedCleanly: false, stopLog: "ERROR persistence Persistence: failed to save lambda: disk full\n" },
      [...essentials.filter((file) => file.name !== "sqs.json"), { name: "ecs.json.tmp", bytes: 5 }],
    );
    expect(problems).toEqual([
      "the emulator did not finish its save (it was killed, or exited with an error)",
      "the emulator could not save every service: ERROR persistence Persistence: failed to save lambda: disk full",
      "it left ecs.json.tmp",
      "it wrote no sqs.json",
    ]);
  });
});

describe("recording a save", () => {
  it("records a whole save, which the next start trusts; beginSave withdraws it before the emulator writes again", () => {
    const dir = stateDir(Object.fromEntries(ESSENTIAL_SERVICE_FILES.map((name) => [name, "{}"])));
    expect(recordSave(dir, clean, { port: 4570, now: new Date("2026-12-01T10:00:00.000Z") })).toEqual([]);
    const verdict = inspectSavedState(dir);
    expect(verdict).toMatchObject({ kind: "whole", record: { port: 4570, savedAt: "2026-12-01T10:00:00.000Z" } });

    beginSave(dir);
    expect(inspectSavedState(dir)).toMatchObject({ kind: "incomplete" });
  });

  it("leaves an incomplete save unrecorded, so the next start discards it", () => {
    const dir = stateDir({ "lambda.json": "{}", "dynamodb.json.tmp": "{" });
    expect(recordSave(dir, { exitedCleanly: false, stopLog: "" }, { port: 4566 })).not.toEqual([]);
    expect(inspectSavedState(dir)).toMatchObject({ kind: "incomplete" });
  });

  it("re-records the sizes after our own repairs, so a repaired file is not taken for a half-saved one", () => {
    const dir = stateDir(Object.fromEntries(ESSENTIAL_SERVICE_FILES.map((name) => [name, "{}"])));
    recordSave(dir, clean, { port: 4566 });
    writeFileSync(path.join(dir, "lambda.json"), '{"repaired":true}');
    const stale = inspectSavedState(dir);
    expect(stale).toMatchObject({ kind: "incomplete", problems: ["changed since the save: lambda.json"] });

    const saved = JSON.parse(readFileSync(path.join(dir, SAVE_RECORD_FILE), "utf8")) as SaveRecord;
    refreshRecord(dir, saved);
    expect(inspectSavedState(dir)).toMatchObject({ kind: "whole" });
  });
});
