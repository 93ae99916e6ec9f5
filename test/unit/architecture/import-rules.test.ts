import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { cruise, type IConfiguration, type ICruiseResult } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";
import rules from "../../../.dependency-cruiser.mjs";

const ROOTS = ["layers", "functions", "containers", "web", "lib"];

const violationsOf = (result: ICruiseResult) =>
  result.summary.violations.map(
    (v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(" → ")})` : ""}`,
  );

async function check(roots: string[], baseDir?: string): Promise<ICruiseResult> {
  const config: IConfiguration = rules;
  const { output } = await cruise(roots, {
    ...config.options,
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    ...(baseDir ? { baseDir, tsConfig: undefined, tsPreCompilationDeps: false } : {}),
  });
  return output as ICruiseResult;
}

describe("the layout's import rules (.dependency-cruiser.mjs, ADR 0009)", () => {
  it("hold for the whole tree: no cycles, no context reaching into another's internals", async () => {
    const result = await check(ROOTS);
    expect(result.summary.totalCruised).toBeGreaterThan(150);
    expect(violationsOf(result)).toEqual([]);
  }, 60_000);

  describe("fail on a planted violation (the control)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "import-rules-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const plant = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    };
    plant("layers/tasks/adapters/task-store.ts", "export const taskStore = 1;\n");
    plant("layers/tasks/published/task-figures.ts", "export const figures = 1;\n");
    plant("layers/kernel/names.ts", 'import { figures } from "../tasks/published/task-figures";\nexport const n = figures;\n');
    plant(
      "layers/agents/domain/planted.ts",
      'import { taskStore } from "../../tasks/adapters/task-store";\nimport { figures } from "../../tasks/published/task-figures";\nexport const x = taskStore + figures;\n',
    );
    plant("layers/agents/domain/a.ts", 'import { b } from "./b";\nexport const a = () => b;\n');
    plant("layers/agents/domain/b.ts", 'import { a } from "./a";\nexport const b = () => a;\n');

    it("a context importing another's adapter, a kernel importing a context, a cycle", async () => {
      const violations = violationsOf(await check(["layers"], dir));
      expect(violations).toEqual(
        expect.arrayContaining([
          "no-other-context-internals: layers/agents/domain/planted.ts → layers/tasks/adapters/task-store.ts",
          "domain-is-pure: layers/agents/domain/planted.ts → layers/tasks/adapters/task-store.ts",
          "kernel-imports-nothing: layers/kernel/names.ts → layers/tasks/published/task-figures.ts",
          expect.stringMatching(/^no-cycles: layers\/agents\/domain\/(a|b)\.ts/),
        ]),
      );
      // Another context's published module is the way in.
      expect(violations.some((v) => v.includes("planted.ts → layers/tasks/published"))).toBe(false);
    }, 60_000);
  });
});
