import { hostname } from "node:os";

export interface AgentIdentity {
  readonly agentId: string;
  readonly taskArn?: string;
}

/**
 * Who this agent is. On ECS, its task: the ARN from the task metadata endpoint, the task id as
 * agent id. A stand-in for ECS (the local fleet runner) passes TASK_ARN; a bare process gets a
 * name from its host and pid.
 */
export async function resolveIdentity(env: {
  AGENT_ID?: string;
  TASK_ARN?: string;
  ECS_CONTAINER_METADATA_URI_V4?: string;
  AGENT_TYPE: string;
}): Promise<AgentIdentity> {
  let taskArn = env.TASK_ARN;
  if (!taskArn && env.ECS_CONTAINER_METADATA_URI_V4) {
    const response = await fetch(`${env.ECS_CONTAINER_METADATA_URI_V4}/task`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) throw new Error(`the ECS task metadata endpoint answered ${response.status}`);
    taskArn = ((await response.json()) as { TaskARN?: string }).TaskARN;
  }
  const agentId = env.AGENT_ID ?? taskArn?.split("/").pop() ?? `${env.AGENT_TYPE}-${hostname()}-${process.pid}`;
  return { agentId, ...(taskArn ? { taskArn } : {}) };
}
