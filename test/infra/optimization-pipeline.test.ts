import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStageConfig } from "../../lib/config/stage-config";
import { synthesize } from "./support/synth";

interface State {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Choices?: ChoiceRule[];
  Branches?: Definition[];
  ItemProcessor?: Definition;
  Iterator?: Definition;
  Parameters?: Record<string, unknown>;
}
interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  [operator: string]: unknown;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

/** Every state of a definition, its branches' and iterators' included, by name. */
function statesOf(definition: Definition): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]): [string, State][] => [
    [name, state],
    ...[
      ...(state.Branches ?? []),
      ...(state.ItemProcessor ? [state.ItemProcessor] : []),
      ...(state.Iterator ? [state.Iterator] : []),
    ].flatMap(statesOf),
  ]);
}

const variables = (rule: ChoiceRule): string[] => [
  ...(rule.Variable ? [rule.Variable] : []),
  ...[...(rule.And ?? []), ...(rule.Or ?? []), ...(rule.Not ? [rule.Not] : [])].flatMap(variables),
];

/**
 * What the issue asks of the definition, as a list of problems (empty when it holds): every
 * Task/Parallel/Map state has Retry and Catch; every `.waitForTaskToken` has TimeoutSeconds;
 * the machine has an overall timeout; no Retry, Catch or Choice looks at a Lambda's error name
 * (only `States.*` errors are matched, and Choices read outcomes, never an error or a cause).
 */
export function definitionProblems(definition: Definition): string[] {
  const problems: string[] = [];
  if (!definition.TimeoutSeconds) problems.push("the machine has no overall TimeoutSeconds");
  for (const [name, state] of statesOf(definition)) {
    if (["Task", "Parallel", "Map"].includes(state.Type)) {
      if (!state.Retry?.length) problems.push(`${name} has no Retry`);
      if (!state.Catch?.length) problems.push(`${name} has no Catch`);
    }
    if (state.Resource?.includes(".waitForTaskToken") && !state.TimeoutSeconds && !state.TimeoutSecondsPath)
      problems.push(`${name} waits for a task token without TimeoutSeconds`);
    for (const handler of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
      for (const error of handler.ErrorEquals) {
        if (!error.startsWith("States.")) problems.push(`${name} matches the error name ${error}`);
      }
    }
    for (const rule of state.Choices ?? []) {
      for (const variable of variables(rule)) {
        if (/\.(Error|Cause)\b|failure|errorType/i.test(variable)) problems.push(`${name} branches on ${variable}`);
      }
    }
  }
  return problems;
}

/** A `DefinitionString` with its CloudFormation references replaced by placeholders, parsed. */
function definitionOf(template: Template): Definition {
  const [machine] = Object.values(template.findResources("AWS::StepFunctions::StateMachine")) as {
    Properties: { DefinitionString: unknown };
  }[];
  const text = (value: unknown): string => {
    if (typeof value === "string") return value;
    const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
    if (join) return join[1].map(text).join(join[0]);
    return "ref";
  };
  return JSON.parse(text(machine?.Properties.DefinitionString)) as Definition;
}

describe("the optimization state machine", () => {
  let definition: Definition;
  let template: Template;
  const config = loadStageConfig("prod", {});

  beforeAll(() => {
    const { stacks } = synthesize("prod");
    template = Template.fromStack(stacks.optimization);
    definition = definitionOf(template);
  });

  it("has Retry and Catch on every Task, a timeout on the approval wait and overall, and branches on no error name", () => {
    expect(statesOf(definition).filter(([, s]) => s.Type === "Task").length).toBeGreaterThanOrEqual(11);
    expect(definitionProblems(definition)).toEqual([]);
  });

  it("waits for approval with the stage's timeout, handing the token only to the step that keeps it", () => {
    const [, wait] = statesOf(definition).find(([, s]) => s.Resource?.includes(".waitForTaskToken")) ?? [];
    expect(wait).toMatchObject({ TimeoutSeconds: config.approvalTimeoutSeconds });
    expect(wait?.Catch?.map((c) => c.ErrorEquals)).toEqual([["States.Timeout"], ["States.ALL"]]);
    expect(JSON.stringify(wait?.Parameters)).toContain('"token.$":"$$.Task.Token"');
    const holders = statesOf(definition).filter(([, s]) => JSON.stringify(s.Parameters ?? {}).includes("$$.Task.Token"));
    expect(holders.map(([name]) => name)).toEqual(["AwaitApproval"]);
    expect(definition.TimeoutSeconds).toBeGreaterThan(config.approvalTimeoutSeconds);
  });

  it("is a Standard machine whose logs never carry execution data (the approval input holds the token)", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      LoggingConfiguration: { IncludeExecutionData: false, Level: "ALL" },
    });
  });

  it("the check finds each problem it looks for (so the test above can fail)", () => {
    const bad: Definition = {
      StartAt: "A",
      States: {
        A: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Retry: [{ ErrorEquals: ["States.ALL"] }],
        },
        B: { Type: "Task", Resource: "arn:aws:lambda:x", Catch: [{ ErrorEquals: ["Lambda.Unknown"], Next: "C" }] },
        C: { Type: "Choice", Choices: [{ Variable: "$.failure.Error", StringEquals: "StaleError" }] },
        D: { Type: "Parallel", Branches: [{ StartAt: "E", States: { E: { Type: "Task", Resource: "arn:aws:lambda:y" } } }] },
      },
    };
    expect(definitionProblems(bad)).toEqual([
      "the machine has no overall TimeoutSeconds",
      "A has no Catch",
      "A waits for a task token without TimeoutSeconds",
      "B has no Retry",
      "B matches the error name Lambda.Unknown",
      "C branches on $.failure.Error",
      "D has no Retry",
      "D has no Catch",
      "E has no Retry",
      "E has no Catch",
    ]);
  });
});

describe("the settings bucket", () => {
  it("is versioned, encrypted, TLS-only and private", () => {
    const template = Template.fromStack(synthesize("dev").stacks.optimization);
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });
});
