import { DescribeTasksCommand, type ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import type { JobRecord } from "../domain/job";
import type { JobTasks } from "../domain/ports";
import { JOB_CONTAINER } from "../published/job-environment";

export interface EcsJobTasksOptions {
  readonly cluster: string;
  /** The job task definition's family (its newest revision runs). */
  readonly taskDefinition: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
}

/**
 * Job tasks on Fargate: one RunTask per job, the job's id passed as the container's `JOB_ID`
 * and as `startedBy` (so a person can find a job's task, and a job's task its job).
 */
export class EcsJobTasks implements JobTasks {
  constructor(
    private readonly ecs: ECSClient,
    private readonly options: EcsJobTasksOptions,
  ) {}

  async start(job: Pick<JobRecord, "jobId" | "jobType">): Promise<string> {
    const { tasks = [], failures = [] } = await this.ecs.send(
      new RunTaskCommand({
        cluster: this.options.cluster,
        taskDefinition: this.options.taskDefinition,
        launchType: "FARGATE",
        count: 1,
        startedBy: job.jobId.slice(0, 36),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [...this.options.subnets],
            securityGroups: [...this.options.securityGroups],
            // Public subnets without NAT, as the agents: the job reaches AWS APIs directly, nothing reaches it.
            assignPublicIp: "ENABLED",
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: JOB_CONTAINER,
              environment: [
                { name: "JOB_ID", value: job.jobId },
                { name: "JOB_TYPE", value: job.jobType },
              ],
            },
          ],
        },
        tags: [{ key: "job-id", value: job.jobId }],
      }),
    );
    const taskArn = tasks[0]?.taskArn;
    if (!taskArn)
      throw new Error(
        failures.map((f) => `${f.reason ?? "failure"} ${f.detail ?? ""}`.trim()).join("; ") || "RunTask started no task",
      );
    return taskArn;
  }

  async stop(taskArn: string, reason: string): Promise<void> {
    await this.ecs.send(new StopTaskCommand({ cluster: this.options.cluster, task: taskArn, reason: reason.slice(0, 255) }));
  }

  async stopped(taskArns: readonly string[]): Promise<Map<string, string>> {
    const stopped = new Map<string, string>();
    for (let i = 0; i < taskArns.length; i += 100) {
      const { tasks = [], failures = [] } = await this.ecs.send(
        new DescribeTasksCommand({ cluster: this.options.cluster, tasks: taskArns.slice(i, i + 100) }),
      );
      for (const task of tasks) {
        if (task.taskArn && task.lastStatus === "STOPPED") stopped.set(task.taskArn, task.stoppedReason || "stopped");
      }
      // A task ECS no longer knows (long stopped) is as stopped as one it lists.
      for (const failure of failures)
        if (failure.arn && failure.reason === "MISSING") stopped.set(failure.arn, "the task is gone");
    }
    return stopped;
  }
}
