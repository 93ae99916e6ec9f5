import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { emulatorAwsEnv, LOCAL_ACCOUNT, LOCAL_REGION } from "./aws-env";
import { deployFingerprint } from "./fingerprint";
import { type LocalOutputs, writeLocalOutputs } from "./outputs";
import { DeployRecord } from "./saved-state";
import { LOCAL_DIR, LOGS_DIR, REPO_ROOT } from "./paths";

const CDK = path.join(REPO_ROOT, "node_modules", "aws-cdk", "bin", "cdk");

export interface DeployOptions {
  readonly endpoint: string;
  /**
   * Where this deployment keeps its outputs, state and cloud assembly, so `npm start` and the
   * e2e tests (each with its own emulator) never overwrite each other. @default .local
   */
  readonly workDir?: string;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

export interface DeployResult {
  readonly outputs: LocalOutputs;
  /** What is deployed now; it travels with the emulator's saved state (see SaveRecord). */
  readonly record: DeployRecord;
  readonly skipped: boolean;
  readonly seconds: number;
}

const stateFileOf = (workDir: string) => path.join(workDir, "deploy-state.json");

/** The last deploy this work directory made, if any (for an emulator this script does not keep the state of). */
export function readDeployState(workDir: string = LOCAL_DIR): DeployRecord | undefined {
  const file = stateFileOf(workDir);
  if (!existsSync(file)) return undefined;
  const parsed = DeployRecord.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : undefined;
}

/** Why `record` is not what a deploy now would put at `endpoint`; undefined when it is. */
export function deployOutdatedBecause(record: DeployRecord | undefined, endpoint: string): string | undefined {
  if (!record) return "nothing was deployed there yet";
  if (record.endpoint !== endpoint) return `it was deployed for ${record.endpoint}`;
  if (record.fingerprint !== deployFingerprint()) return "the code or TGE_* configuration changed since";
  return undefined;
}

/** Writes `.local/outputs.json` (local data-plane URLs) and the deploy state for what is deployed. */
function settle(record: DeployRecord, workDir: string, skipped: boolean, started: number): DeployResult {
  const outputs = writeLocalOutputs(record.outputs, record.endpoint, path.join(workDir, "outputs.json"));
  writeFileSync(stateFileOf(workDir), `${JSON.stringify(record, null, 2)}\n`);
  return { outputs, record, skipped, seconds: (Date.now() - started) / 1000 };
}

/** Takes a deployment that is verifiably there (see `missingFromDeployment`) as it is: no `cdk deploy`. */
export function useDeployed(record: DeployRecord, workDir: string = LOCAL_DIR): DeployResult {
  return settle(record, workDir, true, Date.now());
}

async function stacksExist(endpoint: string, names: readonly string[]): Promise<boolean> {
  const env = emulatorAwsEnv(endpoint);
  const cloudformation = new CloudFormationClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: "test" },
    requestHandler: { requestTimeout: 5_000 },
  });
  try {
    for (const StackName of names) {
      const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName }));
      const status = Stacks?.[0]?.StackStatus ?? "";
      if (!status.endsWith("_COMPLETE") || status.includes("ROLLBACK") || status.startsWith("DELETE")) return false;
    }
    return true;
  } catch {
    // DescribeStacks answers an error for a stack that does not exist
    return false;
  } finally {
    cloudformation.destroy();
  }
}

function runCdk(args: string[], endpoint: string, log: (line: string) => void, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: "a" });
    const child = spawn(process.execPath, [CDK, ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...emulatorAwsEnv(endpoint),
        CDK_DISABLE_VERSION_CHECK: "1",
        CI: "true",
        FORCE_COLOR: "0",
        // CDK's built-in CloudFormation template validation takes about half of each synth's CPU;
        // the infra tier runs it on every stage's templates (test/infra/cdk-nag.test.ts), so a
        // local deploy (every npm start, e2e run and benchmark) does not run it again.
        CDK_VALIDATION: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const progress = new Map<string, string>();
    let buffered = "";
    const onData = (chunk: Buffer) => {
      out.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const counted = line.match(/^(\S+) \| +(\d+)\/(\d+) \|/);
        if (counted) {
          const [, stack, done, total] = counted;
          const percent = Math.floor((100 * Number(done)) / Number(total));
          const step = `${Math.floor(percent / 25) * 25}`;
          if (stack && progress.get(stack) !== step) {
            progress.set(stack, step);
            log(`  ${stack}: ${done}/${total} resources`);
          }
        } else if (/✅|❌|failed|Error/.test(line) && !/npm warn/.test(line)) {
          log(`  ${line.trim()}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => {
      out.end();
      if (code === 0) resolve();
      else reject(new Error(`cdk ${args[0]} exited with ${code}; see ${logFile}`));
    });
  });
}

/**
 * Deploys the local stage into the emulator with plain `cdk deploy` (bootstrapping it first if
 * needed) and writes `.local/outputs.json` with local data-plane URLs.
 */
export async function deployLocal(options: DeployOptions): Promise<DeployResult> {
  const log = options.log ?? console.log;
  const started = Date.now();
  const workDir = options.workDir ?? LOCAL_DIR;
  const cdkOutputs = path.join(workDir, "cdk-outputs.json");
  mkdirSync(LOGS_DIR, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const fingerprint = deployFingerprint();
  const logFile = path.join(LOGS_DIR, `deploy-${new URL(options.endpoint).port}.log`);
  writeFileSync(logFile, "");
  if (!(await stacksExist(options.endpoint, ["CDKToolkit"]))) {
    log("[deploy] bootstrapping the CDK toolkit into the emulator…");
    // Its own cloud assembly, like the deploy's: a shared cdk.out is locked by whichever CLI synths first.
    await runCdk(
      ["bootstrap", `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, "--output", path.join(workDir, "cdk.out")],
      options.endpoint,
      log,
      logFile,
    );
  }
  log("[deploy] synthesizing and deploying the local stage (cdk deploy --all)…");
  await runCdk(
    [
      "deploy",
      "--all",
      "--require-approval",
      "never",
      "--context",
      "stage=local",
      "--context",
      `emulatorEndpoint=${options.endpoint}`,
      "--outputs-file",
      cdkOutputs,
      "--output",
      path.join(workDir, "cdk.out"),
      "--concurrency",
      "3",
      "--progress",
      "events",
    ],
    options.endpoint,
    log,
    logFile,
  );
  const outputs = JSON.parse(readFileSync(cdkOutputs, "utf8")) as Record<string, Record<string, string>>;
  return settle({ endpoint: options.endpoint, fingerprint, outputs }, workDir, false, started);
}
