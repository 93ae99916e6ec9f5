import type { Logger } from "@aws-lambda-powertools/logger";
import type { AgentType } from "#kernel/agent-catalog";
import type { RuntimeSettings } from "#optimization/published/runtime-settings";
import type { Settings } from "#optimization/published/settings-reader";
import type { RuntimeTuning } from "./agent-runtime";

/** Reads the `runtime-settings` document (a `SettingsReader`). */
export interface RuntimeSettingsSource {
  current(): Promise<Settings<RuntimeSettings>>;
}

/**
 * The agent's tuned concurrency and backoff, from the `runtime-settings` document: refreshed
 * in the background every `refreshMs` (the reader revalidates by version id, so an unchanged document
 * costs a HEAD), and read synchronously by the work loop. Until the first read lands it runs on
 * the deployed values. A refresh that fails is logged and the last version stays in use.
 *
 * @example
 * const tuning = new LiveTuning(reader, "data-quality", { maxConcurrentTasks: 3, retryBaseDelaySeconds: 1 }, logger, 2_000);
 * tuning.start();
 */
export class LiveTuning implements RuntimeTuning {
  private held: Settings<RuntimeSettings> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: RuntimeSettingsSource,
    private readonly agentType: AgentType,
    private readonly deployed: { readonly maxConcurrentTasks: number; readonly retryBaseDelaySeconds: number },
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {}

  /** The version in use, once one was read. */
  get version(): string | undefined {
    return this.held?.version;
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), Math.max(1_000, this.refreshMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  maxConcurrentTasks(): number {
    return this.held?.value.agentTypes[this.agentType].maxConcurrentTasksPerAgent ?? this.deployed.maxConcurrentTasks;
  }

  retryBaseDelaySeconds(): number {
    return this.held?.value.agentTypes[this.agentType].retryBaseDelaySeconds ?? this.deployed.retryBaseDelaySeconds;
  }

  async refresh(): Promise<void> {
    try {
      const next = await this.source.current();
      if (next.version !== this.held?.version) {
        const own = next.value.agentTypes[this.agentType];
        this.logger.info("runtime settings in use", {
          settingsVersion: next.version,
          maxConcurrentTasksPerAgent: own.maxConcurrentTasksPerAgent,
          retryBaseDelaySeconds: own.retryBaseDelaySeconds,
        });
      }
      this.held = next;
    } catch (error) {
      this.logger.error("could not read the runtime settings; running on the version in hand", {
        settingsVersion: this.held?.version ?? "deployed values",
        error,
      });
    }
  }
}
