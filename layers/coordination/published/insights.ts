/**
 * The shared insights memory (cross-pollination), for agents and functions of every context:
 * publish what you learned under a topic and key, read what everyone learned, and follow a topic
 * so new insights arrive within the sync interval without a deploy or restart.
 *
 * @example
 * const memory = new SharedMemory({ db, tableName: InsightsTableEnvironment.read().INSIGHTS_TABLE, contributor: `agent:${agentId}` });
 * await memory.publish({ topic: "detection.projects", key: "brindle", value: { name: "Brindle Protocol", symbol: "BRDL" }, confidence: 0.8, evidence: [url], ttlSeconds: 86_400 });
 * const follow = memory.follow("detection.projects", { everyMs: syncIntervalMs, onChange: (insights) => use(insights) });
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Clock, systemClock } from "#shared/clock";
import { envContract, envVar } from "#shared/env-contract";
import { DynamoDbInsightStore } from "../adapters/dynamodb-insight-store";
import {
  contributionOf,
  type Insight,
  type InsightInput,
  type InsightStore,
  synthesize,
  synthesizeAll,
} from "../domain/insights";

export {
  Insight,
  InsightInput,
  InsightTopic,
  InsightKey,
  synthesize,
  type Contribution,
  type InsightStore,
} from "../domain/insights";

/** The variable a process that reads or publishes insights is given the table in (the coordination stack writes it). */
export const InsightsTableEnvironment = envContract({ INSIGHTS_TABLE: envVar.name() });

/** How often a follower re-reads its topics (the stage's `syncInterval`), in seconds. */
export const SyncIntervalEnvironment = envContract({ SYNC_INTERVAL_SECONDS: envVar.int({ min: 1 }) });

/** The variables a process that shares and follows insights reads. */
export const InsightsEnvironment = InsightsTableEnvironment.and(SyncIntervalEnvironment);

/** Well-known topics, so publishers and readers name them once. */
export const INSIGHT_TOPICS = {
  /** data-quality: projects (and tickers) it validated; keyword-precision disambiguates with them. */
  validatedProjects: "detection.projects",
  /** scraping-efficiency: per feed host, how reliable and fast it answers. */
  sourceReliability: "scraping.sources",
} as const;

export interface SharedMemoryProps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Who publishes: `agent:<id>`. */
  readonly contributor: string;
  /** @default the DynamoDB table */
  readonly store?: InsightStore;
  readonly clock?: Clock;
}

/** A topic being followed; `stop()` ends it. */
export interface Following {
  /** The insights as last read. */
  current(): readonly Insight[];
  stop(): void;
}

export class SharedMemory {
  private readonly store: InsightStore;
  private readonly clock: Clock;

  constructor(private readonly props: SharedMemoryProps) {
    this.store = props.store ?? new DynamoDbInsightStore(props.db, props.tableName);
    this.clock = props.clock ?? systemClock;
  }

  /** Publishes (or replaces) this contributor's insight on a key. */
  async publish(input: InsightInput): Promise<void> {
    await this.store.put(contributionOf(input, this.props.contributor, this.clock.now()));
  }

  /** Every live insight of a topic, synthesized across contributors, by key. */
  async read(topic: string): Promise<Insight[]> {
    return synthesizeAll(await this.store.topic(topic), this.clock.now());
  }

  /** One key's insight, or undefined. */
  async get(topic: string, key: string): Promise<Insight | undefined> {
    return synthesize(await this.store.key(topic, key), this.clock.now());
  }

  /**
   * Reads `topic` now and then every `everyMs`, calling `onChange` with the whole topic whenever
   * it differs from the last read. A failed read is reported and retried at the next tick.
   */
  follow(
    topic: string,
    options: { everyMs: number; onChange: (insights: readonly Insight[]) => void; onError: (error: unknown) => void },
  ): Following {
    let current: readonly Insight[] = [];
    let seen = "";
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const insights = await this.read(topic);
        const digest = JSON.stringify(insights.map((i) => [i.key, i.value, i.confidence, i.contradicted, i.updatedAt]));
        if (digest !== seen) {
          seen = digest;
          current = insights;
          options.onChange(insights);
        }
      } catch (error) {
        options.onError(error);
      }
      if (!stopped) timer = setTimeout(() => void tick(), options.everyMs);
    };
    void tick();
    return {
      current: () => current,
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }
}
