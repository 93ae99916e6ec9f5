import type { ScorerFigures } from "#kernel/bus/job-events";
import type { KeywordConfig } from "#detection/published/scorer";
import { scoreItem } from "#detection/published/scorer";
import type { LabelledDataset } from "#detection/published/datasets";

/** One labelled item, named by its dataset so two datasets' ids cannot collide. */
export interface LabelledItem {
  readonly id: string;
  readonly title: string;
  readonly content_text: string;
  readonly tge: boolean;
}

/** Every item of the datasets with its label (a dataset guarantees each item has one). */
export function labelledItems(datasets: readonly { ref: string; dataset: LabelledDataset }[]): LabelledItem[] {
  return datasets.flatMap(({ ref, dataset }) =>
    dataset.feed.items.map((item) => ({
      id: `${ref}#${item.id}`,
      title: item.title,
      content_text: item.content_text,
      tge: dataset.labels[item.id]?.tge === true,
    })),
  );
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface Split {
  readonly training: LabelledItem[];
  readonly heldOut: LabelledItem[];
}

/**
 * Holds out `fraction` of each label's items (stratified, so both sides keep the mix of TGEs
 * and look-alikes), chosen by the seed. Items are sorted by id first, so the split depends on
 * the data and the seed only, not on the order datasets were listed in. Each side of a label
 * with at least two items gets at least one of them.
 */
export function stratifiedSplit(items: readonly LabelledItem[], fraction: number, seed: number): Split {
  const random = seededRandom(seed);
  const training: LabelledItem[] = [];
  const heldOut: LabelledItem[] = [];
  for (const tge of [true, false]) {
    const group = shuffled(
      items.filter((item) => item.tge === tge).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      random,
    );
    const wanted = Math.round(group.length * fraction);
    const held = group.length >= 2 ? Math.min(group.length - 1, Math.max(1, wanted)) : 0;
    heldOut.push(...group.slice(0, held));
    training.push(...group.slice(held));
  }
  return { training, heldOut };
}

/** Item-level precision, recall and F1 of a config: an item counts as flagged when the scorer calls it a TGE. */
export function scorerFigures(config: KeywordConfig, items: readonly LabelledItem[]): ScorerFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const item of items) {
    const flagged = scoreItem(item, config).isTge;
    if (flagged && item.tge) tp++;
    else if (flagged) fp++;
    else if (item.tge) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { items: items.length, precision: round(precision), recall: round(recall), f1: round(f1) };
}

const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;
const clamp01 = (value: number) => Math.min(1, Math.max(0, round(value, 2)));

/**
 * One neighbour of a config: one tunable moved by up to ±`step` — the threshold, the body
 * weight, one evidence weight, or one phrase's or look-alike penalty's weight. Patterns,
 * watchlist and vocabulary are never changed: tuning moves numbers, not meaning.
 */
export function neighbour(config: KeywordConfig, random: () => number, step = 0.15): KeywordConfig {
  const delta = (random() * 2 - 1) * step;
  const evidenceKeys = Object.keys(config.evidence) as (keyof KeywordConfig["evidence"])[];
  const slots = 2 + evidenceKeys.length + config.positive.length + config.negative.length;
  const pick = Math.floor(random() * slots);
  if (pick === 0) return { ...config, threshold: clamp01(config.threshold + delta) };
  if (pick === 1) return { ...config, bodyWeight: clamp01(config.bodyWeight + delta) };
  const evidenceIndex = pick - 2;
  if (evidenceIndex < evidenceKeys.length) {
    const key = evidenceKeys[evidenceIndex] as keyof KeywordConfig["evidence"];
    return { ...config, evidence: { ...config.evidence, [key]: clamp01(config.evidence[key] + delta) } };
  }
  const ruleIndex = evidenceIndex - evidenceKeys.length;
  if (ruleIndex < config.positive.length) {
    return {
      ...config,
      positive: config.positive.map((rule, i) => (i === ruleIndex ? { ...rule, weight: clamp01(rule.weight + delta) } : rule)),
    };
  }
  const negativeIndex = ruleIndex - config.positive.length;
  return {
    ...config,
    negative: config.negative.map((rule, i) => (i === negativeIndex ? { ...rule, weight: clamp01(rule.weight + delta) } : rule)),
  };
}

export interface SearchProgress {
  readonly tried: number;
  readonly of: number;
  readonly bestF1: number;
}

export interface SearchResult {
  readonly config: KeywordConfig;
  readonly training: ScorerFigures;
  readonly candidatesTried: number;
}

/**
 * A seeded hill climb over the scorer's numbers, on the training items only: each candidate is
 * a neighbour of the best so far and replaces it only when its training F1 is strictly higher
 * (ties keep the incumbent, so the result is never worse than the start on the training items
 * and only changes for a measured gain). `onProgress` is awaited after each candidate, so the
 * caller reports progress (and may be told to stop by it throwing).
 */
export async function searchScorer(
  start: KeywordConfig,
  training: readonly LabelledItem[],
  options: { candidates: number; seed: number; onProgress?: (progress: SearchProgress) => Promise<void> },
): Promise<SearchResult> {
  // A stream of its own, apart from the split's, so changing the held-out fraction does not reshuffle the search.
  const random = seededRandom(options.seed ^ 0x5eed);
  let best = start;
  let bestFigures = scorerFigures(start, training);
  for (let tried = 1; tried <= options.candidates; tried++) {
    const candidate = neighbour(best, random);
    const figures = scorerFigures(candidate, training);
    if (figures.f1 > bestFigures.f1) {
      best = candidate;
      bestFigures = figures;
    }
    await options.onProgress?.({ tried, of: options.candidates, bestF1: bestFigures.f1 });
  }
  return { config: best, training: bestFigures, candidatesTried: options.candidates };
}
