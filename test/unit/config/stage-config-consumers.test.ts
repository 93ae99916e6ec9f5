import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { envVarFor, STAGE_DEFAULTS, StageConfig, STAGES } from "../../../lib/config/stage-config";
import { CONSUMERS } from "../../support/stage-config-consumers";

const ROOT = path.join(import.meta.dirname, "../../..");
/** Where code that runs reads its variables: handlers, the shared layers and the agent. */
const CODE_ROOTS = ["functions", "layers", "containers/agent/src"];

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourcesUnder(full);
    return full.endsWith(".ts") ? [full] : [];
  });
const code = CODE_ROOTS.flatMap((root) => sourcesUnder(path.join(ROOT, root))).map((file) => ({
  file: path.relative(ROOT, file),
  text: readFileSync(file, "utf8"),
}));
/** Files that name the variable as a whole word (MAX_CONCURRENT_TASKS is not MAX_CONCURRENT_TASKS_PER_AGENT). */
const readersOf = (variable: string) =>
  code.filter(({ text }) => new RegExp(`(?<![A-Z0-9_])${variable}(?![A-Z0-9_])`).test(text)).map(({ file }) => file);

const KEYS = Object.keys(StageConfig.shape).filter((key) => key !== "stage");

describe("every stage setting has a consumer", () => {
  it("maps each key of StageConfig to where it is read", () => {
    const mapped = Object.keys(CONSUMERS).sort();
    expect(mapped).toEqual([...KEYS].sort());
  });

  it.each(Object.entries(CONSUMERS))("%s: every variable it sets is read by the code", (_key, places) => {
    expect(places.length).toBeGreaterThan(0);
    for (const place of places) {
      if (!("env" in place) || place.readBy) continue;
      expect(readersOf(place.env), `${place.env} is read nowhere under ${CODE_ROOTS.join(", ")}`).not.toEqual([]);
    }
  });

  it("finds a variable no code reads (the control)", () => {
    expect(readersOf("MAX_CONCURRENT_TASKS")).not.toEqual([]);
    expect(readersOf("SYNC_INTERVAL_MINUTES")).toEqual([]);
    expect(readersOf("MAX_CONCURRENT_TASK")).toEqual([]);
  });
});

describe("the README's configuration table", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("| key (seed name)"));
  const rows = table
    .slice(0, table.indexOf("\n\n"))
    .split("\n")
    .slice(2)
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .map(([, key = "", variable = "", ...stages]) => ({
      keys: [...key.matchAll(/`([a-zA-Z]+)`/g)].map((m) => m[1] as string).filter((name) => name in StageConfig.shape),
      key,
      variable,
      stages: stages.slice(0, STAGES.length),
    }));

  it("lists every key, once, with its variable", () => {
    const listed = rows.flatMap((row) => row.keys);
    expect([...listed].sort()).toEqual([...KEYS].sort());
    expect(new Set(listed).size).toBe(listed.length);
    for (const row of rows.filter((r) => r.keys.length === 1)) {
      expect(row.variable, String(row.keys[0])).toBe(`\`${envVarFor(row.keys[0] as string)}\``);
    }
  });

  it("shows each stage's default", () => {
    const shown = (value: unknown) => (Array.isArray(value) ? (value.length === 0 ? "none" : value.join(",")) : String(value));
    for (const row of rows.filter((r) => r.keys.length === 1)) {
      const key = row.keys[0] as keyof StageConfig;
      const defaults = STAGES.map((stage) => shown(STAGE_DEFAULTS[stage][key]));
      // Footnote markers (¹) are the table's, not the value's.
      expect(
        row.stages.map((cell) => cell.replace(/[¹²³]/g, "")),
        key,
      ).toEqual(defaults);
    }
  });
});
