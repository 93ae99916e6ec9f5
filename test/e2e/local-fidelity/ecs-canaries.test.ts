/**
 * Canaries for the fleet runner (scripts/local/fleet-runner.ts): what the emulator's ECS and
 * EventBridge do without Docker, which the runner stands in for. When one fails, the runner's
 * workaround it names can go.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AGENT_IMAGE } from "../../../lib/stacks/agents-stack";
import { UNSUPPORTED_RESOURCE_TYPES } from "../../../scripts/local/emulator-compat";
import { eventually } from "../support/api";

const ecs = new ECSClient({});
const events = new EventBridgeClient({});
const sqs = new SQSClient({});
const cluster = `canary-${Date.now()}`;
const service = "canary-service";

const runningTasks = async () =>
  (await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "RUNNING" }))).taskArns ?? [];

beforeAll(async () => {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "canary",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "agent", image: LOCAL_AGENT_IMAGE, essential: true }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: "FARGATE",
    }),
  );
});

afterAll(async () => {
  await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 })).catch(() => undefined);
  await ecs.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => undefined);
  await ecs.send(new DeleteClusterCommand({ cluster })).catch(() => undefined);
  ecs.destroy();
  events.destroy();
  sqs.destroy();
});

describe("ECS and EventBridge without Docker (fleet runner)", () => {
  it("records a service's tasks as RUNNING without running anything (the runner runs a process per task)", async () => {
    const tasks = await eventually(runningTasks, (arns) => arns.length === 1, 10_000, "one RUNNING task");
    expect(tasks).toHaveLength(1);
  });

  it("does not replace a stopped task until the service is updated (the runner nudges with UpdateService)", async () => {
    const [task] = await eventually(runningTasks, (arns) => arns.length === 1, 10_000, "one RUNNING task");
    await ecs.send(new StopTaskCommand({ cluster, task, reason: "canary" }));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await runningTasks(), "the emulator now replaces stopped tasks: drop the runner's nudge").toEqual([]);

    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 1 }));
    const replaced = await eventually(runningTasks, (arns) => arns.length === 1, 10_000, "a replacement after the nudge");
    expect(replaced[0]).not.toBe(task);
  });

  it("emits no ECS Task State Change events, and refuses aws.* sources on PutEvents (the runner invokes the handler)", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${cluster}-events` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const rule = `${cluster}-task-states`;
    await events.send(
      new PutRuleCommand({
        Name: rule,
        EventPattern: JSON.stringify({ source: ["aws.ecs"], "detail-type": ["ECS Task State Change"] }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }));
    try {
      const [task] = await eventually(runningTasks, (arns) => arns.length === 1, 10_000, "one RUNNING task");
      await ecs.send(new StopTaskCommand({ cluster, task, reason: "canary" }));
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3 }));
      expect(Messages, "the emulator now emits task state changes: the runner's announceStopped can go").toEqual([]);

      const put = await events.send(
        new PutEventsCommand({ Entries: [{ Source: "aws.ecs", DetailType: "ECS Task State Change", Detail: "{}" }] }),
      );
      expect(put.Entries?.[0]?.ErrorCode).toBe("NotAuthorizedForSourceException");
    } finally {
      await events.send(new RemoveTargetsCommand({ Rule: rule, Ids: ["queue"] }));
      await events.send(new DeleteRuleCommand({ Name: rule }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    }
  });

  it("CloudFormation refuses AWS::EC2::FlowLog (UNSUPPORTED_RESOURCE_TYPES keeps the VPC's flow log out)", async () => {
    expect(UNSUPPORTED_RESOURCE_TYPES.has("AWS::EC2::FlowLog")).toBe(true);
    const cloudformation = new CloudFormationClient({});
    const StackName = `canary-flowlog-${Date.now()}`;
    const template = {
      Resources: {
        FlowLog: {
          Type: "AWS::EC2::FlowLog",
          Properties: { ResourceId: "vpc-12345678", ResourceType: "VPC", TrafficType: "REJECT", LogGroupName: "canary" },
        },
      },
    };
    const outcome = await cloudformation
      .send(new CreateStackCommand({ StackName, TemplateBody: JSON.stringify(template) }))
      .then(async () => (await cloudformation.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0]?.StackStatus)
      .catch((error: Error) => error.message);
    cloudformation.destroy();
    expect(outcome, "the emulator now creates flow logs: remove AWS::EC2::FlowLog from UNSUPPORTED_RESOURCE_TYPES").toMatch(
      /Unrecognized resource types|Unsupported|FAILED/,
    );
  });
});
