/**
 * Canaries for the Step Functions behaviours of the emulator the optimization pipeline is built
 * around (docs/local-fidelity.md). Each runs a small state machine of its own; when one fails, the
 * emulator changed and the row (and the pipeline's reliance on it) needs a second look.
 */
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zip } from "../../../scripts/local/zip";
import { eventually } from "../support/api";

const sfn = new SFNClient({});
const lambda = new LambdaClient({});
const ROLE = "arn:aws:iam::000000000000:role/canary";
const stamp = Date.now().toString(36);
let failingArn = "";

beforeAll(async () => {
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `canary-sfn-throws-${stamp}`,
      Runtime: "nodejs22.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: {
        ZipFile: zip({
          "index.mjs":
            'class PipelineStateError extends Error { name = "PipelineStateError"; }\nexport const handler = async () => { throw new PipelineStateError("canary"); };',
        }),
      },
    }),
  );
  failingArn = created.FunctionArn ?? "";
}, 30_000);
afterAll(() => {
  sfn.destroy();
  lambda.destroy();
});

async function machine(name: string, definition: Record<string, unknown>): Promise<string> {
  const created = await sfn.send(
    new CreateStateMachineCommand({ name: `canary-${name}-${stamp}`, roleArn: ROLE, definition: JSON.stringify(definition) }),
  );
  return created.stateMachineArn ?? "";
}

async function run(arn: string, timeoutMs: number, name?: string): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: "{}", ...(name ? { name } : {}) }),
  );
  return eventually(
    () => sfn.send(new DescribeExecutionCommand({ executionArn })),
    (e) => e.status !== "RUNNING",
    timeoutMs,
    `execution of ${arn} to end`,
  );
}

const invokeCaught = (resource: string, extra: Record<string, unknown> = {}) => ({
  StartAt: "Invoke",
  States: {
    Invoke: {
      Type: "Task",
      Resource: resource,
      Parameters: { FunctionName: failingArn, Payload: { canary: true } },
      ...extra,
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Caught" }],
      Next: "Caught",
    },
    Caught: { Type: "Pass", End: true },
  },
});

describe("Step Functions canaries", () => {
  it("a Lambda's thrown error arrives as Runtime.HandlerError, not its name (so the pipeline branches on returned outcomes)", async () => {
    const definition = invokeCaught("arn:aws:states:::lambda:invoke");
    const done = await run(await machine("error-name", definition), 30_000);
    expect(done.status).toBe("SUCCEEDED");
    const error = (JSON.parse(done.output ?? "{}") as { error?: { Error?: string } }).error?.Error;
    expect(error, "the emulator now passes error names through: Retry/Catch on names would work locally").toBe(
      "Runtime.HandlerError",
    );
  });

  it("a task token's TimeoutSeconds runs in real seconds and ends as States.Timeout (the approval window's expiry path)", async () => {
    const definition = invokeCaught("arn:aws:states:::lambda:invoke.waitForTaskToken", {
      Parameters: { FunctionName: failingArn, Payload: { "token.$": "$$.Task.Token" } },
      TimeoutSeconds: 2,
    });
    const started = Date.now();
    const done = await run(await machine("token-timeout", definition), 30_000);
    expect(done.status).toBe("SUCCEEDED");
    expect((JSON.parse(done.output ?? "{}") as { error?: { Error?: string } }).error?.Error).toBe("States.Timeout");
    // The Lambda threw, yet the state waited out its timeout: the emulator swallows a callback Lambda's error.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it("StartExecution with a name already used answers ExecutionAlreadyExists, even with the same input (the pipeline's start treats it as started)", async () => {
    const arn = await machine("same-name", { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } });
    const name = `once-${stamp}`;
    await run(arn, 15_000, name);
    const again = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: arn, name, input: "{}" }))
      .then(() => "started again")
      .catch((error: Error) => (error instanceof ExecutionAlreadyExists ? "ExecutionAlreadyExists" : error.name));
    expect(again).toBe("ExecutionAlreadyExists");
  });

  it("a state machine's own TimeoutSeconds is ignored (the pipeline's overall bound is checked in the template, not here)", async () => {
    const arn = await machine("overall-timeout", {
      StartAt: "Wait",
      TimeoutSeconds: 1,
      States: { Wait: { Type: "Wait", Seconds: 3, End: true } },
    });
    const done = await run(arn, 30_000);
    expect(done.status, "the emulator now enforces the machine's TimeoutSeconds: an e2e test can cover the overall bound").toBe(
      "SUCCEEDED",
    );
  });
});
