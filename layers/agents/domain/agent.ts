import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { AgentStatus, Workload } from "#kernel/bus/agent-status-changed";

/** An agent in the registry: who it is, what it can do, and how it last said it was. */
export const Agent = z
  .object({
    agentId: z.string().min(1),
    agentType: AgentType,
    /** The ECS task running it, when it runs on ECS (or its stand-in locally). */
    taskArn: z.string().optional(),
    capabilities: z.array(z.string()),
    status: AgentStatus,
    /** Why the status is what it is (health classification, stop reason). */
    statusReason: z.string().optional(),
    registeredAt: z.iso.datetime(),
    heartbeatAt: z.iso.datetime(),
    /** Seconds between heartbeats this agent promised. */
    heartbeatIntervalSeconds: z.number().int().min(1),
    workload: Workload,
    stoppedAt: z.iso.datetime().optional(),
    version: z.number().int().min(1),
  })
  .meta({ id: "Agent" });
export type Agent = z.infer<typeof Agent>;
