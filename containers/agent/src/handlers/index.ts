import type { AgentType } from "#core/agents/domain/agent-types";
import { DIAGNOSTIC_HANDLERS } from "./diagnostics";
import type { HandlerRegistry } from "./task-handler";

/** The task types an agent of `agentType` serves: the diagnostics every agent has, and its specialty. */
export function handlersFor(_agentType: AgentType): HandlerRegistry {
  return { ...DIAGNOSTIC_HANDLERS };
}
