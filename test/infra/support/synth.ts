import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { loadStageConfig, type StageName } from "../../../lib/config/stage-config";
import { buildSwarm, type SwarmStacks } from "../../../lib/swarm-app";
import { applyEmulatorCompat } from "../../../scripts/local/emulator-compat";

export interface Synthesized {
  readonly app: App;
  readonly stacks: SwarmStacks;
  /** cdk-nag's findings that were not acknowledged, as "RuleId at construct path". */
  readonly violations: string[];
}

/**
 * Builds and synthesizes the app for a stage without bundling function code (the templates
 * are the same; only asset hashes differ), running cdk-nag's AwsSolutions pack.
 */
export function synthesize(
  stage: StageName,
  options: {
    emulatorEndpoint?: string;
    extend?: (stacks: SwarmStacks) => void;
    /** TGE_* overrides of the stage's config. */
    env?: Record<string, string>;
    /**
     * Also run CDK's built-in CloudFormation template validation, whose findings join the
     * violations. It takes about half of a synth's CPU, so only the test that checks it asks.
     * @default false
     */
    validateTemplates?: boolean;
  } = {},
): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), `tge-swarm-${stage}-`));
  const app = new App({
    outdir,
    context: { "aws:cdk:bundling-stacks": [] },
    builtinCloudFormationValidation: options.validateTemplates ?? false,
  });
  const stacks = buildSwarm(app, loadStageConfig(stage, options.env ?? {}));
  options.extend?.(stacks);
  if (options.emulatorEndpoint) applyEmulatorCompat(app, options.emulatorEndpoint, stage);
  const report = path.join(outdir, "validation-report.json");
  try {
    app.synth();
  } catch (error) {
    if (!existsSync(report)) throw error;
  }
  // Read even when synth passed: the template validation reports its findings as warnings.
  const violations = existsSync(report) ? readViolations(report) : [];
  // Tests read templates, never staged assets; a dev or prod assembly's assets include CDK's
  // AWS CLI layer (22 MB, for the web stack's BucketDeployment), which would pile up in tmp.
  for (const entry of readdirSync(outdir))
    if (entry.startsWith("asset.")) rmSync(path.join(outdir, entry), { recursive: true, force: true });
  return { app, stacks, violations };
}

interface ValidationReport {
  pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

function readViolations(file: string): string[] {
  const report = JSON.parse(readFileSync(file, "utf8")) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
  );
}

/** Every acknowledgement recorded with `Validations.of(...).acknowledge` in the tree. */
export function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === "aws:cdk:acknowledged-rules")
      // Recorded as { "<kind>::<rule id>": "<reason>" }.
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
      ),
  );
}
