import * as z from "zod";
import { type DetectedProject, HEADLINE_MAX_LENGTH, SUMMARY_MAX_LENGTH, TgeDetection } from "#kernel/bus/tge-detected";
import { normalizeUrl, plainText } from "./feed";
import { projectSlug } from "./tge-scoring";

const NAME_MAX_LENGTH = 80;
const SOURCE_MAX_LENGTH = 100;

/** How far ahead of our clock a publication time may be: outlets' clocks drift and time zones get mislabeled. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** News older than this is not a TGE alert any more; a backfill is a different job. */
export const MAX_AGE_MS = 30 * 24 * 60 * 60_000;

/**
 * What keyword-precision hands to data-quality: one feed item it scored as a likely TGE. Fields
 * are loosely typed on purpose: checking them is data-quality's job, and `validateCandidate` names
 * each problem instead of failing on the first.
 */
export const TgeCandidate = z.object({
  itemId: z.string().min(1),
  url: z.string(),
  title: z.string(),
  content_text: z.string(),
  source: z.string(),
  publishedAt: z.string(),
  score: z.number().min(0).max(1),
  project: z.object({ slug: z.string(), name: z.string(), symbol: z.string().optional() }).optional(),
  signals: z.array(z.string()),
});
export type TgeCandidate = z.infer<typeof TgeCandidate>;

/** The query of `GET /api/detections`. */
export const DetectionListQuery = z
  .object({
    /** By detection time: `desc` newest first, `asc` oldest first. */
    order: z.enum(["desc", "asc"]).default("desc"),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();

/** A page of `GET /api/detections`, newest first. */
export const DetectionPage = z
  .object({ items: z.array(TgeDetection), nextCursor: z.string().optional() })
  .meta({ id: "DetectionPage" });
export type DetectionPage = z.infer<typeof DetectionPage>;

/** A detection as validation can build it; the store adds its id, time and the items it merges. */
export type ValidatedDetection = Omit<TgeDetection, "detectionId" | "detectedAt" | "itemIds">;

export type CandidateVerdict = { ok: true; detection: ValidatedDetection } | { ok: false; problems: string[] };

/**
 * Text fit to show: markup removed, entities decoded, whitespace collapsed, and at most
 * `maxLength` characters, the last of them an ellipsis when the text was cut.
 *
 * @example
 * sanitizeText("<p>Nimbrel&nbsp;sets   <b>TGE</b></p>", 12) // → "Nimbrel set…"
 */
export function sanitizeText(text: string, maxLength: number): string {
  const plain = [...plainText(text)];
  if (plain.length <= maxLength) return plain.join("");
  if (maxLength < 1) return "";
  return `${plain
    .slice(0, maxLength - 1)
    .join("")
    .trimEnd()}…`;
}

/**
 * The dedupe key of one TGE event: the project's slug. A project has one token generation event,
 * so two outlets reporting it ("Brindle Protocol (BRDL)", "Brindle sets its TGE") get one key,
 * whether or not each names the ticker. The ticker is not part of the key: outlets that omit it
 * would otherwise split one event in two.
 *
 * @example
 * eventKey({ name: "Brindle Protocol", symbol: "BRDL" }) // → "brindle"
 */
export function eventKey(project: { slug?: string; name: string; symbol?: string }): string {
  return projectSlug(project.slug || project.name);
}

const PLACEHOLDER_NAMES = new Set(["unknown", "n/a", "na", "none", "null", "undefined", "tbd", "tba", "-", "?"]);

/**
 * Data-quality's check of a candidate before it becomes a detection: the project is named, the
 * score reaches `threshold`, the link is http(s), and the publication time is neither in the
 * future (beyond clock skew) nor older than 30 days. Every problem is reported, each prefixed with
 * the field it concerns. Text fields come back sanitized and the URL without tracking parameters.
 *
 * @example
 * validateCandidate(candidate, new Date(), 0.5)
 * // → { ok: false, problems: ["score: 0.42 is below the threshold 0.5", "url: not an http(s) URL"] }
 */
export function validateCandidate(candidate: unknown, now: Date, threshold: number): CandidateVerdict {
  const parsed = TgeCandidate.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "candidate"}: ${issue.message}`),
    };
  }
  const c = parsed.data;
  const problems: string[] = [];

  const name = c.project ? sanitizeText(c.project.name, NAME_MAX_LENGTH) : "";
  const symbol = c.project?.symbol?.trim().replace(/^\$/, "").toUpperCase() || undefined;
  if (!c.project) problems.push("project: missing");
  else if (!name || PLACEHOLDER_NAMES.has(name.toLowerCase())) problems.push(`project.name: unknown ('${name}')`);
  else if (!projectSlug(c.project.slug || name)) problems.push(`project.slug: nothing left after normalizing '${name}'`);
  if (symbol !== undefined && !/^[A-Z0-9]{2,10}$/.test(symbol)) {
    problems.push(`project.symbol: '${symbol}' is not a ticker of 2 to 10 letters or digits`);
  }

  if (c.score < threshold) problems.push(`score: ${c.score} is below the threshold ${threshold}`);

  const url = checkUrl(c.url);
  if (typeof url !== "string") problems.push(url.problem);

  const published = Date.parse(c.publishedAt);
  if (Number.isNaN(published)) problems.push(`publishedAt: '${c.publishedAt}' is not a date`);
  else if (published > now.getTime() + MAX_CLOCK_SKEW_MS) {
    problems.push(`publishedAt: ${Math.round((published - now.getTime()) / 60_000)} minutes in the future`);
  } else if (published < now.getTime() - MAX_AGE_MS) {
    problems.push(`publishedAt: ${Math.floor((now.getTime() - published) / 86_400_000)} days old, older than 30 days`);
  }

  const headline = sanitizeText(c.title, HEADLINE_MAX_LENGTH);
  if (!headline) problems.push("title: empty once markup is removed");

  if (problems.length > 0 || !c.project || typeof url !== "string") return { ok: false, problems };
  const project: DetectedProject = { slug: projectSlug(c.project.slug || name), name, ...(symbol ? { symbol } : {}) };
  return {
    ok: true,
    detection: {
      eventKey: eventKey(project),
      project,
      headline,
      summary: sanitizeText(c.content_text, SUMMARY_MAX_LENGTH),
      url,
      source: sanitizeText(c.source, SOURCE_MAX_LENGTH) || new URL(url).hostname,
      publishedAt: new Date(published).toISOString(),
      score: c.score,
      signals: c.signals,
    },
  };
}

function checkUrl(raw: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { problem: `url: '${raw.slice(0, 80)}' is not a URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { problem: `url: ${url.protocol.slice(0, -1)} is not http(s)` };
  }
  return normalizeUrl(url.href);
}
