import type { Logger } from "@aws-lambda-powertools/logger";
import type { Agent } from "#agents/domain/agent";
import type { AgentType } from "#kernel/agent-catalog";
import type { AgentRegistry } from "#agents/domain/ports";
import type { Workload } from "#kernel/bus/agent-status-changed";

export interface PresenceOptions {
  readonly agentId: string;
  readonly agentType: AgentType;
  readonly taskArn?: string;
  readonly capabilities: readonly string[];
  readonly heartbeatIntervalMs: number;
}

/**
 * The agent's place in the registry: it registers with its capabilities, heartbeats its workload
 * every interval, and deregisters when it stops. A heartbeat the registry refuses (the agent was
 * marked stopped, say by a restart) is reported to `onEvicted`, so the agent can wind down.
 */
export class AgentPresence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly options: PresenceOptions,
    private readonly workload: () => Workload,
    private readonly logger: Logger,
    private readonly onEvicted: () => void,
  ) {}

  async register(): Promise<void> {
    const now = new Date().toISOString();
    const agent: Agent = {
      agentId: this.options.agentId,
      agentType: this.options.agentType,
      ...(this.options.taskArn ? { taskArn: this.options.taskArn } : {}),
      capabilities: [...this.options.capabilities],
      status: "healthy",
      statusReason: "registered",
      registeredAt: now,
      heartbeatAt: now,
      heartbeatIntervalSeconds: Math.round(this.options.heartbeatIntervalMs / 1_000),
      workload: this.workload(),
      version: 1,
    };
    await this.registry.register(agent);
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
  }

  private async beat(): Promise<void> {
    try {
      const accepted = await this.registry.heartbeat(this.options.agentId, this.workload(), new Date());
      if (!accepted) {
        this.logger.warn("the registry no longer lists this agent as running; stopping");
        this.onEvicted();
      }
    } catch (error) {
      this.logger.warn("heartbeat failed; trying again next interval", { error });
    }
  }

  async deregister(reason: string): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.registry.setStatus(this.options.agentId, "stopped", reason, new Date());
    } catch (error) {
      this.logger.error("could not deregister; the health monitor will mark this agent stopped", { error });
    }
  }
}
