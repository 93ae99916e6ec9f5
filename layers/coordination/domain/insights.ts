import * as z from "zod";
import { JsonValue } from "#kernel/json";
import { fingerprint } from "#shared/ids";

/** A topic names what insights are about: `detection.projects`, `scraping.sources`. */
export const InsightTopic = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
/** What an insight is about within its topic: a project slug, a feed host. */
export const InsightKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^#\s][^#]*$/, "must not start with a space or contain '#'");

/** What an agent publishes: its view of one key of a topic, how sure it is, why, and for how long it holds. */
export const InsightInput = z
  .object({
    topic: InsightTopic,
    key: InsightKey,
    value: JsonValue,
    confidence: z.number().min(0).max(1),
    evidence: z.array(z.string().min(1).max(500)).max(20).default([]),
    ttlSeconds: z
      .number()
      .int()
      .min(10)
      .max(30 * 24 * 3600),
  })
  .strict();
export type InsightInput = z.input<typeof InsightInput>;

/** One contributor's insight as stored: the latest it published for the key. */
export const Contribution = z.object({
  topic: InsightTopic,
  key: InsightKey,
  contributor: z.string().min(1),
  value: JsonValue,
  confidence: z.number().min(0).max(1),
  evidence: z.array(z.string()),
  publishedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type Contribution = z.infer<typeof Contribution>;

/** One value several contributors agree on. */
export const InsightAlternative = z.object({
  value: JsonValue,
  confidence: z.number(),
  contributors: z.array(z.string()),
});

/**
 * What the shared memory says about a key: the best-supported value, how sure the contributors
 * are together, every piece of evidence, and — when they disagree — every alternative, flagged.
 */
export const Insight = z.object({
  topic: InsightTopic,
  key: InsightKey,
  value: JsonValue,
  /** 1 − Π(1 − cᵢ) over the contributors of the leading value: independent witnesses add up. */
  confidence: z.number().min(0).max(1),
  contributors: z.array(z.string()),
  evidence: z.array(z.object({ contributor: z.string(), evidence: z.array(z.string()) })),
  /** Contributors disagree: `alternatives` has every value, the leading one first. Never averaged. */
  contradicted: z.boolean(),
  alternatives: z.array(InsightAlternative),
  updatedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type Insight = z.infer<typeof Insight>;

/** A contribution as it is written, from what an agent published at `now`. */
export function contributionOf(input: InsightInput, contributor: string, now: Date): Contribution {
  const parsed = InsightInput.parse(input);
  return {
    topic: parsed.topic,
    key: parsed.key,
    contributor,
    value: parsed.value,
    confidence: parsed.confidence,
    evidence: parsed.evidence,
    publishedAt: now.getTime(),
    expiresAt: now.getTime() + parsed.ttlSeconds * 1_000,
  };
}

const combined = (confidences: readonly number[]) =>
  Math.round((1 - confidences.reduce((left, c) => left * (1 - c), 1)) * 1_000) / 1_000;

/**
 * Merges the live contributions to one key. Equal values (compared as canonical JSON) pool their
 * confidence; different values are kept apart as alternatives and the insight is flagged
 * contradicted. The leading value is the best-supported one, the most recent on a tie.
 * Undefined when nothing live is left. Pure.
 */
export function synthesize(contributions: readonly Contribution[], now: Date): Insight | undefined {
  const live = contributions.filter((c) => c.expiresAt > now.getTime());
  const first = live[0];
  if (!first) return undefined;
  const groups = new Map<string, Contribution[]>();
  for (const c of live) {
    const id = fingerprint(c.value);
    groups.set(id, [...(groups.get(id) ?? []), c]);
  }
  const alternatives = [...groups.values()]
    .map((group) => ({
      value: group[0]?.value ?? null,
      confidence: combined(group.map((c) => c.confidence)),
      contributors: group.map((c) => c.contributor).sort(),
      latest: Math.max(...group.map((c) => c.publishedAt)),
    }))
    .sort((a, b) => b.confidence - a.confidence || b.latest - a.latest);
  const leading = alternatives[0] as (typeof alternatives)[number];
  return {
    topic: first.topic,
    key: first.key,
    value: leading.value,
    confidence: leading.confidence,
    contributors: leading.contributors,
    evidence: live
      .filter((c) => c.evidence.length > 0)
      .sort((a, b) => (a.contributor < b.contributor ? -1 : 1))
      .map((c) => ({ contributor: c.contributor, evidence: c.evidence })),
    contradicted: alternatives.length > 1,
    alternatives: alternatives.map(({ latest: _latest, ...alternative }) => alternative),
    updatedAt: new Date(Math.max(...live.map((c) => c.publishedAt))).toISOString(),
    expiresAt: new Date(Math.max(...live.map((c) => c.expiresAt))).toISOString(),
  };
}

/** Synthesizes every key of a topic's contributions, ordered by key. */
export function synthesizeAll(contributions: readonly Contribution[], now: Date): Insight[] {
  const byKey = new Map<string, Contribution[]>();
  for (const c of contributions) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  return [...byKey.keys()].sort().flatMap((key) => {
    const insight = synthesize(byKey.get(key) ?? [], now);
    return insight ? [insight] : [];
  });
}

/** Where insights are kept and read back. */
export interface InsightStore {
  put(contribution: Contribution): Promise<void>;
  /** Every contribution (live or not) to `topic`. */
  topic(topic: string): Promise<Contribution[]>;
  /** Every contribution to one key. */
  key(topic: string, key: string): Promise<Contribution[]>;
  /** The topics ever published to. */
  topics(): Promise<string[]>;
}
