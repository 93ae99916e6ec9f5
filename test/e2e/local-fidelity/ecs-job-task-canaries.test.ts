/**
 * Canaries for the local job runner (scripts/local/job-runner.ts): what the emulator's ECS does
 * with a task started by RunTask (no service) without Docker. When one fails, the runner's
 * workaround it names can go (or must change).
 */
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_JOB_IMAGE } from "../../../lib/stacks/jobs-stack";

const ecs = new ECSClient({});
const cluster = `job-canary-${Date.now()}`;
const family = `job-canary-${Date.now()}`;

beforeAll(async () => {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "job", image: LOCAL_JOB_IMAGE, essential: true, environment: [{ name: "A", value: "1" }] }],
    }),
  );
});
afterAll(async () => {
  await ecs.send(new DeleteClusterCommand({ cluster })).catch(() => undefined);
});

describe("the emulator's ECS, for job tasks started by RunTask", () => {
  it("keeps a RunTask task RUNNING (running nothing), with its overrides and startedBy, listed by family, until StopTask", async () => {
    const { tasks = [] } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: family,
        launchType: "FARGATE",
        startedBy: "job-1",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "ENABLED" } },
        overrides: { containerOverrides: [{ name: "job", environment: [{ name: "JOB_ID", value: "job-1" }] }] },
      }),
    );
    const taskArn = tasks[0]?.taskArn as string;
    expect(tasks[0]?.lastStatus).toBe("RUNNING");
    // The runner reads JOB_ID from the recorded overrides, as the container would get it.
    const [described] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks ?? [];
    expect(described?.overrides?.containerOverrides?.[0]?.environment).toEqual([{ name: "JOB_ID", value: "job-1" }]);
    expect(described?.startedBy).toBe("job-1");
    const listed = await ecs.send(new ListTasksCommand({ cluster, family, desiredStatus: "RUNNING" }));
    expect(listed.taskArns).toEqual([taskArn]);
    // Still RUNNING a while later: nothing ends it but StopTask (the runner does, when the process exits).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus).toBe("RUNNING");
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: "Essential container in task exited (SIGKILL)" }));
    const [stopped] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks ?? [];
    expect(stopped).toMatchObject({ lastStatus: "STOPPED", stoppedReason: "Essential container in task exited (SIGKILL)" });
    expect((await ecs.send(new ListTasksCommand({ cluster, family, desiredStatus: "RUNNING" }))).taskArns).toEqual([]);
  });
});
