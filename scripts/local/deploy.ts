import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { emulatorAwsEnv, LOCAL_ACCOUNT, LOCAL_REGION } from "./aws-env";
import { deployFingerprint } from "./fingerprint";
import { type LocalOutputs, writeLocalOutputs } from "./outputs";
import { LOCAL_DIR, LOGS_DIR, REPO_ROOT } from "./paths";

const CDK = path.join(REPO_ROOT, "node_modules", "aws-cdk", "bin", "cdk");

interface DeployState {
  readonly endpoint: string;
  readonly fingerprint: string;
  readonly stacks: string[];
}

export interface DeployOptions {
  readonly endpoint: string;
  /**
   * Where this deployment keeps its outputs, state and cloud assembly, so `npm start` and the
   * e2e tests (each with its own emulator) never overwrite each other. @default .local
   */
  readonly workDir?: string;
  /** Deploy even when nothing changed. @default false */
  readonly force?: boolean;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

export interface DeployResult {
  readonly outputs: LocalOutputs;
  readonly skipped: boolean;
  readonly seconds: number;
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
      env: { ...process.env, ...emulatorAwsEnv(endpoint), CDK_DISABLE_VERSION_CHECK: "1", CI: "true", FORCE_COLOR: "0" },
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
 * Deploys the local stage into the emulator with plain `cdk deploy`, unless the same inputs
 * are already deployed there, and writes `.local/outputs.json` with local data-plane URLs.
 */
export async function deployLocal(options: DeployOptions): Promise<DeployResult> {
  const log = options.log ?? console.log;
  const started = Date.now();
  const workDir = options.workDir ?? LOCAL_DIR;
  const stateFile = path.join(workDir, "deploy-state.json");
  const cdkOutputs = path.join(workDir, "cdk-outputs.json");
  mkdirSync(LOGS_DIR, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const fingerprint = deployFingerprint();
  const previous: DeployState | undefined = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : undefined;

  let skipped = false;
  if (
    !options.force &&
    previous?.fingerprint === fingerprint &&
    previous.endpoint === options.endpoint &&
    existsSync(cdkOutputs) &&
    (await stacksExist(options.endpoint, previous.stacks))
  ) {
    skipped = true;
    log("[deploy] nothing changed since the last deploy into this emulator; skipping cdk deploy");
  } else {
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
  }

  const byStack = JSON.parse(readFileSync(cdkOutputs, "utf8")) as Record<string, Record<string, string>>;
  const outputs = writeLocalOutputs(byStack, options.endpoint, path.join(workDir, "outputs.json"));
  const state: DeployState = { endpoint: options.endpoint, fingerprint, stacks: Object.keys(byStack) };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  return { outputs, skipped, seconds: (Date.now() - started) / 1000 };
}
