import * as z from "zod";
import { AGENT_TYPES, AgentType } from "#core/agents/domain/agent-types";
import type { QueueInspector, TaskQuery } from "./ports";
import { PRIORITIES, Priority } from "./task";

export const QueueRow = z.object({
  agentType: AgentType,
  priority: Priority,
  /** Messages waiting (approximate, as SQS counts). */
  visible: z.number().int(),
  /** Messages an agent is working on. */
  inFlight: z.number().int(),
  /** Retries waiting out their backoff. */
  delayed: z.number().int(),
  /** Messages in this queue's dead-letter queue. */
  deadLetters: z.number().int(),
  /** Age of the longest-waiting queued task, or null when none waits. */
  oldestAgeSeconds: z.number().int().nullable(),
});
export type QueueRow = z.infer<typeof QueueRow>;

/** `GET /api/tasks/queue`. */
export const QueueViewResponse = z.object({ generatedAt: z.iso.datetime(), queues: z.array(QueueRow) });

/** `GET /api/tasks/queue`: each of the 20 queues — visible, in flight, delayed, dead letters, oldest age. */
export async function queueView(deps: { inspector: QueueInspector; query: TaskQuery; now: Date }): Promise<QueueRow[]> {
  const cells = AGENT_TYPES.flatMap((agentType) => PRIORITIES.map((priority) => ({ agentType, priority })));
  return Promise.all(
    cells.map(async ({ agentType, priority }) => {
      const [depth, oldest] = await Promise.all([
        deps.inspector.depth(agentType, priority),
        deps.query.oldestQueuedAt(agentType, priority),
      ]);
      const oldestAgeSeconds = oldest ? Math.max(0, Math.round((deps.now.getTime() - Date.parse(oldest)) / 1_000)) : null;
      return { agentType, priority, ...depth, oldestAgeSeconds };
    }),
  );
}
