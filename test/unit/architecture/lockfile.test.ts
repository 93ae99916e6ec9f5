import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/** The parts of package-lock.json (lockfileVersion 3) this test reads. */
interface Lockfile {
  readonly packages: Readonly<Record<string, { readonly optionalDependencies?: Readonly<Record<string, string>> }>>;
}

const lockfile = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../../package-lock.json"), "utf8")) as Lockfile;

/**
 * Where npm would find `name` for the package at `from`: its own node_modules, then each
 * enclosing one up to the root, as Node resolves it.
 */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf("/node_modules/");
    dir = parent < 0 ? "" : dir.slice(0, parent);
  }
}

/** Optional dependencies the lockfile names but does not lock: `npm install` on another platform would add them. */
function unlockedOptionalDependencies(lock: Lockfile): string[] {
  return Object.entries(lock.packages).flatMap(([at, entry]) =>
    Object.keys(entry.optionalDependencies ?? {})
      .filter((name) => resolveIn(lock, at, name) === undefined)
      .map((name) => `${at || "(root)"} → ${name}`),
  );
}

/** The platforms people develop on, as each tool names its binary packages. */
const PLATFORM_PACKAGES = [
  ...["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64", "win32-arm64", "win32-x64"].map((p) => `@esbuild/${p}`),
  ...[
    "darwin-arm64",
    "darwin-x64",
    "linux-arm64-gnu",
    "linux-x64-gnu",
    "linux-arm64-musl",
    "linux-x64-musl",
    "win32-arm64-msvc",
    "win32-x64-msvc",
  ].map((p) => `@rollup/rollup-${p}`),
  "fsevents",
];

describe("package-lock.json is complete for every platform (bootstrap runs `npm ci`)", () => {
  it("locks every optional dependency of every locked package", () => {
    expect(unlockedOptionalDependencies(lockfile)).toEqual([]);
  });

  it("locks esbuild's, rollup's and fsevents' packages for Linux, macOS and Windows on x64 and arm64", () => {
    const missing = PLATFORM_PACKAGES.filter((name) => !lockfile.packages[`node_modules/${name}`]);
    expect(missing).toEqual([]);
  });

  it("reports a platform package missing from the lockfile (the control)", () => {
    // GIVEN the lockfile as a mirror without macOS binaries would write it
    const packages = Object.fromEntries(
      Object.entries(lockfile.packages).filter(([at]) => at !== "node_modules/@esbuild/darwin-arm64"),
    );

    // WHEN it is checked, THEN esbuild's missing macOS package is named
    expect(unlockedOptionalDependencies({ packages })).toEqual(["node_modules/esbuild → @esbuild/darwin-arm64"]);
  });
});
