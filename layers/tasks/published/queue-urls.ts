import * as z from "zod";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";
import { envContract, envVar } from "#shared/env-contract";

const PriorityUrls = z.object(
  Object.fromEntries(PRIORITIES.map((priority) => [priority, z.url()])) as Record<Priority, z.ZodURL>,
);

/** Work queue URLs by agent type and priority, as the CDK hands them to functions. */
export const QUEUE_URLS = z.object(
  Object.fromEntries(AGENT_TYPES.map((type) => [type, PriorityUrls])) as Record<AgentType, typeof PriorityUrls>,
);
export type QueueUrls = z.infer<typeof QUEUE_URLS>;

/** The variable a function that sends to or inspects the work queues is given them in. */
export const WorkQueuesEnvironment = envContract({ WORK_QUEUE_URLS: envVar.json(QUEUE_URLS) });
