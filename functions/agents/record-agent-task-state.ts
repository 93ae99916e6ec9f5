import * as z from "zod";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { registry } from "./wiring";

/** The part of an `ECS Task State Change` event this handler reads. */
const EcsTaskStateChange = z.object({
  "detail-type": z.literal("ECS Task State Change"),
  time: z.string(),
  detail: z.object({
    taskArn: z.string().min(1),
    lastStatus: z.string(),
    stoppedReason: z.string().optional(),
    stopCode: z.string().optional(),
  }),
});

/**
 * ECS says a task stopped: its agent is marked stopped with ECS's reason, even if the agent died
 * too suddenly to deregister itself. The agent id is the task id.
 */
export const handler = instrumented(async (raw: unknown) => {
  const event = EcsTaskStateChange.parse(raw);
  const { taskArn, lastStatus, stoppedReason, stopCode } = event.detail;
  if (lastStatus !== "STOPPED") return { marked: false };
  const agentId = taskArn.split("/").pop() as string;
  const reason = `ECS stopped the task${stopCode ? ` (${stopCode})` : ""}: ${stoppedReason ?? "no reason given"}`;
  await registry().setStatus(agentId, "stopped", reason, new Date(event.time));
  logger.info("agent task stopped", { agentId, reason });
  return { marked: true };
});
