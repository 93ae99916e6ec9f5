import type { Logger } from "@aws-lambda-powertools/logger";

/** Protection lasts this long unless renewed, so a hung agent cannot block scale-in forever. */
const PROTECTION_MINUTES = 60;

/**
 * ECS task scale-in protection through the ECS agent's endpoint: on while the agent has work,
 * off when idle, so scaling in never stops an agent mid-task. Without ECS (locally) it does nothing.
 */
export class TaskProtection {
  private protectedNow = false;

  constructor(
    private readonly agentUri: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** Sets protection to match whether there is work; called on every change and heartbeat. */
  async update(busy: boolean): Promise<void> {
    if (!this.agentUri || busy === this.protectedNow) return;
    try {
      const response = await fetch(`${this.agentUri}/task-protection/v1/state`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ProtectionEnabled: busy, ...(busy ? { ExpiresInMinutes: PROTECTION_MINUTES } : {}) }),
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`ECS agent answered ${response.status}: ${await response.text()}`);
      this.protectedNow = busy;
    } catch (error) {
      this.logger.warn("could not update task scale-in protection", { busy, error });
    }
  }
}
