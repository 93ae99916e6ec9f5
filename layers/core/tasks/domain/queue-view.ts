import { AGENT_TYPES, type AgentType } from "#core/agents/domain/agent-types";
import type { QueueDepth, QueueInspector, TaskQuery } from "./ports";
import { PRIORITIES, type Priority } from "./task";

export interface QueueRow extends QueueDepth {
  readonly agentType: AgentType;
  readonly priority: Priority;
  /** Age of the longest-waiting queued task, or null when none waits. */
  readonly oldestAgeSeconds: number | null;
}

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
