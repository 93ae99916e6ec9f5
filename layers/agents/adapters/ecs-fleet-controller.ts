import {
  DescribeServicesCommand,
  type ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { FleetController, ServiceState } from "../domain/ports";

/** Each agent type's ECS service name, as the CDK names them. */
export type ServiceNames = Readonly<Record<AgentType, string>>;

/** The fleet through the ECS API: one service per agent type in one cluster. */
export class EcsFleetController implements FleetController {
  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly serviceNames: ServiceNames,
  ) {}

  async services(): Promise<ServiceState[]> {
    const { services = [] } = await this.ecs.send(
      new DescribeServicesCommand({ cluster: this.cluster, services: AGENT_TYPES.map((t) => this.serviceNames[t]) }),
    );
    return Promise.all(
      AGENT_TYPES.map(async (agentType) => {
        const service = services.find((s) => s.serviceName === this.serviceNames[agentType]);
        return {
          agentType,
          desired: service?.desiredCount ?? 0,
          running: service?.runningCount ?? 0,
          pending: service?.pendingCount ?? 0,
          taskArns: await this.taskArns(agentType),
        };
      }),
    );
  }

  async service(agentType: AgentType): Promise<ServiceState> {
    const state = (await this.services()).find((s) => s.agentType === agentType);
    if (!state) throw new Error(`no ECS service for ${agentType}`);
    return state;
  }

  async stopTask(taskArn: string, reason: string): Promise<void> {
    await this.ecs.send(new StopTaskCommand({ cluster: this.cluster, task: taskArn, reason: reason.slice(0, 255) }));
  }

  async setDesired(agentType: AgentType, desired: number): Promise<void> {
    await this.ecs.send(
      new UpdateServiceCommand({ cluster: this.cluster, service: this.serviceNames[agentType], desiredCount: desired }),
    );
  }

  async redeploy(agentType: AgentType): Promise<void> {
    await this.ecs.send(
      new UpdateServiceCommand({ cluster: this.cluster, service: this.serviceNames[agentType], forceNewDeployment: true }),
    );
  }

  private async taskArns(agentType: AgentType): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(
        new ListTasksCommand({
          cluster: this.cluster,
          serviceName: this.serviceNames[agentType],
          desiredStatus: "RUNNING",
          nextToken,
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }
}
