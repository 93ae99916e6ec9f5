import * as z from "zod";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { QueueRow } from "#kernel/bus/metrics-snapshot";
import { PRIORITIES } from "#kernel/task-vocabulary";
import type { QueueInspector, TaskQuery } from "./ports";

/** `GET /api/tasks/queue`. */
export const QueueViewResponse = z
  .object({ generatedAt: z.iso.datetime(), queues: z.array(QueueRow) })
  .meta({ id: "QueueViewResponse" });

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
