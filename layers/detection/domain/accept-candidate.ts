import { deterministicId } from "#shared/ids";
import { validateCandidate } from "./detection";
import { type KeywordConfig, WatchedProject } from "./keyword-config";
import { projectSlug, scoreItem } from "./tge-scoring";
import { tgeDetectedEvent } from "./detection-events";
import type { DetectionStore } from "./ports";
import type { EventPublisher } from "#kernel/bus/domain-event";
import type { TgeDetection } from "#kernel/bus/tge-detected";

/** `detected`: this call announced the event; `duplicate`: it was announced before. */
export type CandidateOutcome =
  | { readonly outcome: "rejected"; readonly problems: readonly string[] }
  | { readonly outcome: "duplicate"; readonly detection: TgeDetection }
  | { readonly outcome: "detected"; readonly detection: TgeDetection };

export interface AcceptDeps {
  readonly store: DetectionStore;
  readonly publisher: EventPublisher;
  readonly now: Date;
  /** What data-quality scores a candidate's text with; its `threshold` is the score a candidate must reach. */
  readonly keywords: KeywordConfig;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The candidate with its `score` recomputed from its own text, whatever score it arrived with: a
 * score is a claim about the text, and data-quality checks claims (ADR 0016). The project the
 * candidate names is watched for the scoring, so a project keyword-precision recognized by its
 * ticker (from a validated insight) still scores as it did there; naming a project adds only the
 * evidence the text holds for it. A candidate without text is left for validation to reject.
 */
export function rescored(candidate: unknown, keywords: KeywordConfig): unknown {
  if (!isRecord(candidate) || typeof candidate.title !== "string" || typeof candidate.content_text !== "string") {
    return candidate;
  }
  const project = candidate.project;
  const named = isRecord(project)
    ? WatchedProject.safeParse({
        slug: projectSlug(String(project.slug || project.name || "")),
        name: project.name,
        ...(project.symbol === undefined ? {} : { symbol: project.symbol }),
      })
    : undefined;
  const watched =
    named?.success && !keywords.projects.some((p) => p.slug === named.data.slug)
      ? { ...keywords, projects: [...keywords.projects, named.data] }
      : keywords;
  return { ...candidate, score: scoreItem({ title: candidate.title, content_text: candidate.content_text }, watched).score };
}

/**
 * Data-quality's step: validate and sanitize a candidate, then record it under its event key. The
 * first item of an event makes a detection and announces it (`TgeDetected`); later items of the
 * same event are added to it and announce nothing. If the announcement failed before, a retry
 * of any item of the event sends it, so no detection goes unannounced. The detection id follows
 * from the event key, so a repeated announcement is recognizably the same detection. The score
 * is recomputed from the candidate's text (`rescored`), never taken from the candidate.
 *
 * @example
 * const result = await acceptCandidate(candidate, { store, publisher, now: new Date(), keywords: DEFAULT_KEYWORD_CONFIG });
 */
export async function acceptCandidate(candidate: unknown, deps: AcceptDeps): Promise<CandidateOutcome> {
  const verdict = validateCandidate(rescored(candidate, deps.keywords), deps.now, deps.keywords.threshold);
  if (!verdict.ok) return { outcome: "rejected", problems: verdict.problems };
  const itemId = (candidate as { itemId: string }).itemId;
  const key = verdict.detection.eventKey;
  const recorded = await deps.store.record(verdict.detection, itemId, deterministicId("detection", key), deps.now);
  if (recorded.published) return { outcome: "duplicate", detection: recorded.detection };
  // New, or an earlier announcement failed: this call announces it.
  await deps.publisher.publish([tgeDetectedEvent(recorded.detection)]);
  await deps.store.markPublished(key);
  return { outcome: "detected", detection: recorded.detection };
}
