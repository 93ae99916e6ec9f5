import { createHash } from "node:crypto";
import * as z from "zod";

/**
 * One news item of a JSON Feed 1.1 document, as the scrapers read it. Unknown keys are kept:
 * outlets add their own (`_source` is ours), and dropping them would lose data a later step may want.
 * The URL is only required to be present; whether it is usable is data-quality's call, which
 * reports it rather than losing the item at parse time.
 */
export const FeedItem = z.looseObject({
  id: z.string().min(1),
  url: z.string().min(1),
  title: z.string(),
  content_text: z.string(),
  date_published: z.iso.datetime({ offset: true }),
  authors: z.array(z.looseObject({ name: z.string() })).optional(),
  /** The outlet that published the item, when the feed aggregates several. */
  _source: z.string().optional(),
});
export type FeedItem = z.infer<typeof FeedItem>;

export const Feed = z.looseObject({
  version: z.string().startsWith("https://jsonfeed.org/version/1"),
  title: z.string(),
  items: z.array(FeedItem),
});
export type Feed = z.infer<typeof Feed>;

/** Query parameters that mark how a reader arrived, not which page it is. */
const TRACKING_PARAM = /^(utm_.*|fbclid|gclid|mc_cid|mc_eid)$/i;

/**
 * The URL with what varies between fetches of the same item removed: host case, tracking
 * parameters, the fragment and a trailing slash. Remaining parameters are sorted so their order
 * does not matter. A string that is not a URL comes back trimmed.
 *
 * @example
 * normalizeUrl("https://News.example/a/?utm_source=rss#top") // → "https://news.example/a"
 */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw.trim();
  }
  const kept = [...url.searchParams].filter(([key]) => !TRACKING_PARAM.test(key)).sort(([a], [b]) => a.localeCompare(b));
  const query = new URLSearchParams(kept).toString();
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host.toLowerCase()}${path}${query ? `?${query}` : ""}`;
}

/**
 * A stable short id for a feed item, from its normalized URL: the same story fetched twice, or
 * reached through differently tagged links, gets the same fingerprint.
 *
 * @example
 * itemFingerprint({ url: "https://news.example/a?utm_medium=feed" }) === itemFingerprint({ url: "https://NEWS.example/a/" }) // → true
 */
export function itemFingerprint(item: Pick<FeedItem, "url">): string {
  return shortHash(normalizeUrl(item.url));
}

/**
 * A fingerprint of a headline that ignores case, punctuation and spacing, so a story re-posted
 * with cosmetic edits ("Quillon sets TGE!" / "quillon sets TGE") is recognized as the same text.
 * Reworded headlines from other outlets do not match; that is the event key's job.
 *
 * @example
 * contentFingerprint("Quillon sets TGE!") === contentFingerprint("  quillon  SETS tge") // → true
 */
export function contentFingerprint(title: string): string {
  const normalized = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return shortHash(normalized);
}

/** 64 bits of SHA-256: collisions stay negligible for the few million items a feed store holds. */
const shortHash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
};

/**
 * Feed text as a reader sees it: outlets put HTML in `content_text` although the field is meant
 * to be plain, so tags are dropped (scripts and styles with their content), the common entities
 * decoded and runs of whitespace collapsed. Unknown entities are left as written.
 *
 * @example
 * plainText("<p>Nimbrel&nbsp;sets <b>TGE</b> &amp; airdrop</p>\n\n") // → "Nimbrel sets TGE & airdrop"
 */
export function plainText(raw: string): string {
  return raw
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<\/?[a-z][^>]*>/gi, " ")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, code: string) => decodeEntity(code) ?? entity)
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function decodeEntity(code: string): string | undefined {
  if (code.startsWith("#")) {
    const point = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    return Number.isInteger(point) && point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : undefined;
  }
  return ENTITIES[code.toLowerCase()];
}
