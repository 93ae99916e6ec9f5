import type { PollReport } from "#detection/domain/feed-watcher";

/** What scraping-efficiency tells the swarm about a feed host (the `scraping.sources` insight's value). */
export interface SourceReliability {
  readonly requests: number;
  /** Requests answered with items or 304, over requests made. */
  readonly successRate: number;
  readonly notModified: number;
  readonly rateLimited: number;
  readonly failures: number;
  readonly p50LatencyMs: number;
}

/** Per-host poll outcomes and latencies over a sliding window of the last `window` requests. */
export class SourceStats {
  private readonly samples = new Map<string, { outcome: "ok" | "not-modified" | "rate-limited" | "failed"; ms: number }[]>();

  constructor(private readonly window = 50) {}

  /** Records one poll that reached the host (a poll held back by our own limit is not a request). */
  record(host: string, outcome: PollReport["request"] | "failed", ms: number): void {
    if (outcome === "throttled") return;
    const list = this.samples.get(host) ?? [];
    list.push({ outcome: outcome === "fetched" ? "ok" : outcome, ms });
    this.samples.set(host, list.slice(-this.window));
  }

  /** The host's figures and how much they can be trusted (more requests, more confidence). */
  summary(host: string): { value: SourceReliability; confidence: number } | undefined {
    const list = this.samples.get(host);
    if (!list || list.length === 0) return undefined;
    const count = (o: string) => list.filter((s) => s.outcome === o).length;
    const latencies = list.map((s) => s.ms).sort((a, b) => a - b);
    return {
      value: {
        requests: list.length,
        successRate: Math.round(((count("ok") + count("not-modified")) / list.length) * 1_000) / 1_000,
        notModified: count("not-modified"),
        rateLimited: count("rate-limited"),
        failures: count("failed"),
        p50LatencyMs: latencies[Math.floor((latencies.length - 1) / 2)] ?? 0,
      },
      confidence: Math.min(1, list.length / 20),
    };
  }
}
