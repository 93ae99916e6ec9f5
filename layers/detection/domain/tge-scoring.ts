import { plainText } from "./feed";
import type { KeywordConfig, NegativeRule, WatchedProject, WeightedRule } from "./keyword-config";

export interface TgeProject {
  slug: string;
  name: string;
  symbol?: string;
}

export interface TgeScore {
  /** 0..1, the sum of the signed signals, clamped. */
  score: number;
  /** At or above the config's threshold, with a project identified. */
  isTge: boolean;
  project?: TgeProject;
  /** Why, one line per piece of evidence: "+0.50 phrase 'token generation event'", "-0.50 price talk 'surges'". */
  signals: string[];
}

/**
 * Trailing words that do not tell projects apart: "Brindle Protocol" and "Brindle" are one
 * project. Kept in code, not in the keyword config, because slugs end up in stored event keys and
 * must not change when the config is tuned.
 */
const GENERIC_SUFFIXES = new Set([
  "protocol",
  "network",
  "labs",
  "lab",
  "finance",
  "chain",
  "foundation",
  "dao",
  "token",
  "coin",
  "app",
]);

/**
 * The project part of an event key: lower-case ASCII words joined by hyphens, with possessives,
 * accents and generic trailing words ("Protocol", "Labs", "DAO") removed. Idempotent.
 *
 * @example
 * projectSlug("Zephyrine Labs'") // → "zephyrine"
 * projectSlug("Brindle Protocol") === projectSlug("brindle") // → true
 */
export function projectSlug(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’]s\b/g, "")
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  while (words.length > 1 && GENERIC_SUFFIXES.has(words[words.length - 1] ?? "")) words.pop();
  return words.join("-");
}

/**
 * How likely an item announces a token generation event, and whose. Phrases and patterns from the
 * config add or subtract their weight (a headline match in full, a body-only match in part), a
 * project is found on the watchlist (its name only in crypto context, or its ticker) or else
 * extracted from the text, and every contribution is listed as a signal. Deterministic and pure.
 *
 * @example
 * scoreItem({ title: "Brindle Protocol (BRDL) token generation event set for March 24", content_text: "…" }, DEFAULT_KEYWORD_CONFIG)
 * // → { score: 0.75, isTge: true, project: { slug: "brindle", name: "Brindle Protocol", symbol: "BRDL" }, signals: ["+0.50 phrase 'token generation event'", …] }
 */
export function scoreItem(item: { title: string; content_text: string }, config: KeywordConfig): TgeScore {
  const rules = compile(config);
  const text = readText(item);
  const parts: Contribution[] = [];
  const notes: string[] = [];

  let positives = 0;
  for (const { rule, re } of rules.positive) {
    const hit = matchRule(re, rule.weight, text, config.bodyWeight);
    if (!hit) continue;
    positives++;
    parts.push({
      weight: hit.weight,
      signal: `${signed(hit.weight)} phrase ${quote(hit.matched)}${hit.inBody ? " in body" : ""}`,
    });
  }
  if (positives === 0) notes.push("no TGE phrase");

  for (const { rule, re } of rules.negative) {
    const hit = matchRule(re, rule.weight, text, config.bodyWeight);
    if (!hit) continue;
    const why = `${rule.category.replace(/-/g, " ")} ${quote(hit.matched)}${hit.inBody ? " in body" : ""}`;
    parts.push({ weight: -hit.weight, signal: `${signed(-hit.weight)} ${why}` });
  }

  if (!hasCryptoContext(text, rules)) {
    parts.push({ weight: -config.evidence.noContext, signal: `${signed(-config.evidence.noContext)} no crypto context` });
  }

  const found = findProject(text, config, rules);
  parts.push(...found.parts);
  notes.push(...found.notes);
  if (!found.project) {
    parts.push({ weight: -config.evidence.noProject, signal: `${signed(-config.evidence.noProject)} no project identified` });
  }

  const raw = parts.reduce((sum, part) => sum + part.weight, 0);
  const score = Math.round(Math.min(1, Math.max(0, raw)) * 100) / 100;
  return {
    score,
    isTge: found.project !== undefined && score >= config.threshold,
    ...(found.project ? { project: found.project } : {}),
    signals: [...parts.map((part) => part.signal), ...notes],
  };
}

/** A context word, a `$TICKER`, a ticker called a token, or the unambiguous phrase itself. */
function hasCryptoContext(text: Text, rules: Rules): boolean {
  return (
    rules.context.test(text.lowerAll) ||
    /\$[A-Z][A-Z0-9]{1,9}\b|\b[A-Z][A-Z0-9]{1,9}\s+tokens?\b/u.test(text.all) ||
    /\btoken generation events?\b/.test(text.lowerAll)
  );
}

interface Contribution {
  readonly weight: number;
  readonly signal: string;
}

interface Text {
  readonly title: string;
  readonly body: string;
  readonly lowerTitle: string;
  readonly lowerBody: string;
  /** Title and body, for searches that do not care where a match is. */
  readonly all: string;
  readonly lowerAll: string;
  /** Where each word of `all` starts, to measure distances in words. */
  readonly wordStarts: readonly number[];
  /** In Title Case every word is capitalized, so capitals say nothing about names there. */
  readonly titleCase: boolean;
}

function readText(item: { title: string; content_text: string }): Text {
  const title = plainText(item.title);
  const body = plainText(item.content_text);
  const all = `${title}\n${body}`;
  const long = title.match(/[\p{L}][\p{L}\p{N}'’-]{3,}/gu) ?? [];
  const capitalized = long.filter((word) => /^\p{Lu}/u.test(word)).length;
  return {
    title,
    body,
    lowerTitle: title.toLowerCase(),
    lowerBody: body.toLowerCase(),
    all,
    lowerAll: all.toLowerCase(),
    wordStarts: [...all.matchAll(/\S+/g)].map((m) => m.index),
    titleCase: long.length >= 3 && capitalized / long.length >= 0.75,
  };
}

interface Rules {
  readonly positive: readonly { rule: WeightedRule; re: RegExp }[];
  readonly negative: readonly { rule: NegativeRule; re: RegExp }[];
  readonly context: RegExp;
  readonly contextAll: RegExp;
  readonly ignoreSymbols: ReadonlySet<string>;
  readonly stopwords: ReadonlySet<string>;
  readonly verbAfter: RegExp;
  readonly descriptorBefore: RegExp;
}

/** Configs are parsed once and reused for thousands of items; compile their patterns once too. */
const compiledRules = new WeakMap<KeywordConfig, Rules>();

function compile(config: KeywordConfig): Rules {
  const cached = compiledRules.get(config);
  if (cached) return cached;
  const { extraction } = config;
  const verbWords = extraction.nameVerbs.flatMap((verb) => verb.split(/\s+/).slice(0, 1));
  const rules: Rules = {
    positive: config.positive.map((rule) => ({ rule, re: new RegExp(rule.pattern, "iu") })),
    negative: config.negative.map((rule) => ({ rule, re: new RegExp(rule.pattern, "iu") })),
    context: wordsPattern(config.context.words, "iu"),
    contextAll: wordsPattern(config.context.words, "giu"),
    ignoreSymbols: new Set(extraction.ignoreSymbols),
    stopwords: new Set([...extraction.nameStopwords, ...verbWords].map((word) => word.toLowerCase())),
    verbAfter: new RegExp(String.raw`^\s+(?:${extraction.nameVerbs.map(escapeRegex).join("|")})\b`, "iu"),
    descriptorBefore: new RegExp(String.raw`\b(?:${extraction.descriptors.map(escapeRegex).join("|")})\s+$`, "iu"),
  };
  compiledRules.set(config, rules);
  return rules;
}

/** Each word with its plural and -ed/-ing forms ("airdrop" also finds "airdropped"). */
const wordsPattern = (words: readonly string[], flags: string) =>
  new RegExp(String.raw`\b(?:${words.map(escapeRegex).join("|")})(?:s|es|d|ed|ing|ped|ping)?\b`, flags);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function matchRule(
  re: RegExp,
  weight: number,
  text: Text,
  bodyWeight: number,
): { weight: number; matched: string; inBody: boolean } | undefined {
  const inTitle = re.exec(text.lowerTitle);
  if (inTitle) return { weight, matched: inTitle[0], inBody: false };
  const inBody = re.exec(text.lowerBody);
  return inBody ? { weight: round2(weight * bodyWeight), matched: inBody[0], inBody: true } : undefined;
}

interface Found {
  readonly project?: TgeProject;
  readonly parts: Contribution[];
  readonly notes: string[];
}

/** A watched project mentioned in context wins; otherwise the text has to name one itself. */
function findProject(text: Text, config: KeywordConfig, rules: Rules): Found {
  const watched = findWatched(text, config, rules);
  if (watched.project) return watched;
  const extracted = extractProject(text, rules, watched.excluded, config.evidence.symbol);
  return { project: extracted.project, parts: extracted.parts, notes: [...watched.notes, ...extracted.notes] };
}

function findWatched(text: Text, config: KeywordConfig, rules: Rules): Found & { excluded: Set<string> } {
  const notes: string[] = [];
  const excluded = new Set<string>();
  let best: { at: number; project: WatchedProject; parts: Contribution[] } | undefined;
  const contextAt = positions(rules.contextAll, text.lowerAll);

  for (const project of config.projects) {
    const sighting = sight(project, text, config, contextAt);
    if (sighting?.inContext === false) {
      notes.push(sighting.note);
      for (const name of [project.name, ...project.aliases])
        for (const word of name.toLowerCase().split(/\s+/)) excluded.add(word);
    } else if (sighting && (!best || sighting.at < best.at)) best = { at: sighting.at, project, parts: sighting.parts };
  }

  if (!best) return { parts: [], notes, excluded };
  const { slug, name, symbol } = best.project;
  return { project: { slug, name, ...(symbol ? { symbol } : {}) }, parts: best.parts, notes, excluded };
}

type Sighting = { inContext: true; at: number; parts: Contribution[] } | { inContext: false; note: string };

/** Where a watched project is first credibly mentioned: its ticker anywhere, or its name within reach of context words. */
function sight(project: WatchedProject, text: Text, config: KeywordConfig, contextAt: readonly Match[]): Sighting | undefined {
  const { symbol: symbolWeight, watchlist } = config.evidence;
  const tickerAt = project.symbol ? firstIndex(new RegExp(String.raw`(?<![\w$])\$?${project.symbol}\b`, "u"), text.all) : -1;
  if (project.symbol && tickerAt >= 0) {
    return {
      inContext: true,
      at: tickerAt,
      parts: [
        { weight: symbolWeight, signal: `${signed(symbolWeight)} symbol ${quote(project.symbol)}` },
        { weight: watchlist, signal: `${signed(watchlist)} watchlist ticker ${quote(project.symbol)}` },
      ],
    };
  }
  const mentions = [project.name, ...project.aliases].flatMap((name) =>
    positions(new RegExp(String.raw`\b${escapeRegex(name)}\b`, "giu"), text.all),
  );
  const first = mentions[0];
  if (!first) return undefined;
  const own = project.contextWords.length > 0 ? positions(wordsPattern(project.contextWords, "giu"), text.lowerAll) : [];
  const near = [...contextAt, ...own];
  for (const mention of mentions) {
    const context = near.find((c) => wordDistance(text, mention.index, c.index) <= config.context.window);
    if (context) {
      const signal = `${signed(watchlist)} watchlist ${quote(mention.text)} near ${quote(context.text)}`;
      return { inContext: true, at: mention.index, parts: [{ weight: watchlist, signal }] };
    }
  }
  return { inContext: false, note: `name ${quote(first.text)} without crypto context` };
}

function extractProject(text: Text, rules: Rules, excluded: ReadonlySet<string>, symbolWeight: number): Found {
  const parts: Contribution[] = [];
  const notes: string[] = [];
  const symbol = pickSymbol(text, rules.ignoreSymbols);
  if (symbol) parts.push({ weight: symbolWeight, signal: `${signed(symbolWeight)} symbol ${quote(symbol.shown)}` });
  const name = pickName(text, symbol?.symbol, rules, excluded);
  if (!name) {
    if (symbol) notes.push(`ticker ${quote(symbol.symbol)} but no project name`);
    return { parts, notes };
  }
  notes.push(`project ${quote(name.name)} from ${[...name.reasons].join(", ")}`);
  const project: TgeProject = { slug: projectSlug(name.name), name: name.name, ...(symbol ? { symbol: symbol.symbol } : {}) };
  return { project, parts, notes };
}

const TICKER = String.raw`[A-Z][A-Z0-9]{1,9}`;
/** Words that follow a bare ticker in crypto copy: "QLN token", "CBLT airdrop", "ORD claims". */
const AFTER_BARE_TICKER =
  /^\s+(?:(?:governance|utility|native|gas)\s+)?(?:tokens?|airdrops?|claims?|trading|listing|lists|holders|supply|futures|contracts|tranches?|stakers)\b/i;
const BEFORE_BARE_TICKER = /(?:\bclaim|\bticker|['’]s|\bthe|\bits)\s+$/i;

/** The most evidenced ticker: `$ABC` and `(ABC)` are strong, a bare `ABC token` weaker, the headline counts extra. */
function pickSymbol(text: Text, ignore: ReadonlySet<string>): { symbol: string; shown: string } | undefined {
  const scores = new Map<string, { score: number; shown: string; first: number }>();
  const add = (symbol: string, shown: string, at: number, weight: number) => {
    if (ignore.has(symbol)) return;
    const inTitle = at < text.title.length;
    const seen = scores.get(symbol);
    const score = weight + (inTitle ? 1 : 0);
    if (!seen) scores.set(symbol, { score, shown, first: at });
    else scores.set(symbol, { ...seen, score: seen.score + score, shown: weight > 1 ? shown : seen.shown });
  };
  for (const m of text.all.matchAll(new RegExp(String.raw`\$(${TICKER})\b`, "gu"))) add(m[1] ?? "", m[0], m.index, 3);
  for (const m of text.all.matchAll(new RegExp(String.raw`\(\$?(${TICKER})\)`, "gu"))) add(m[1] ?? "", m[0], m.index, 3);
  for (const m of text.all.matchAll(/(?<![\w$(])([A-Z][A-Z0-9]{2,9})\b(?!\))/gu)) {
    const after = text.all.slice(m.index + m[0].length, m.index + m[0].length + 40);
    const before = text.all.slice(Math.max(0, m.index - 12), m.index);
    if (AFTER_BARE_TICKER.test(after) || BEFORE_BARE_TICKER.test(before)) add(m[1] ?? "", m[0], m.index, 1);
  }
  const best = [...scores.entries()].sort(([, a], [, b]) => b.score - a.score || a.first - b.first)[0];
  return best ? { symbol: best[0], shown: best[1].shown } : undefined;
}

interface NameCandidate {
  readonly name: string;
  anchor: number;
  bonus: number;
  readonly first: number;
  readonly reasons: Set<string>;
}

/** What follows a name in "Brindle Protocol TGE", "Zephyrine Labs' ZPH token", "Kestrelfi token launch". */
const TGE_WORDS = /^(?:token generation event|tge|token launch|token|airdrop|mainnet)\b/;

/**
 * Picks the project name among capitalized word runs, by how the text uses each: before a ticker
 * in parentheses, before TGE words, as the subject of a launch verb, introduced by a descriptor
 * ("lending protocol X") or an appositive ("X, a restaking network"), or abbreviated by the ticker.
 * A run needs one such use to count; a word that also appears in lower case is a common word.
 */
function pickName(
  text: Text,
  symbol: string | undefined,
  rules: Rules,
  excluded: ReadonlySet<string>,
): { name: string; reasons: Set<string> } | undefined {
  const candidates = new Map<string, NameCandidate>();
  const lowerWords = new Set(text.all.match(/(?<![\p{L}\p{N}])[\p{Ll}][\p{L}\p{N}-]*/gu) ?? []);
  const from = text.titleCase ? text.title.length + 1 : 0;

  for (const run of nameRuns(text.all, from, rules, excluded)) {
    if (run.words.length === 1 && lowerWords.has(run.name.toLowerCase())) continue;
    const candidate = candidates.get(run.name) ?? {
      name: run.name,
      anchor: 0,
      bonus: 0,
      first: run.start,
      reasons: new Set<string>(),
    };
    candidates.set(run.name, candidate);
    const after = text.all.slice(run.end, run.end + 60);
    const before = text.all.slice(Math.max(0, run.start - 40), run.start);
    const anchor = (weight: number, reason: string) => {
      if (candidate.reasons.has(reason)) return;
      candidate.anchor += weight;
      candidate.reasons.add(reason);
    };
    if (new RegExp(String.raw`^\s*\(\$?${TICKER}\)`, "u").test(after)) anchor(3, "'Name (TICKER)'");
    const gap = /^(['’]s?)?\s+/u.exec(after);
    const next = gap ? after.slice(gap[0].length) : "";
    const ticker = new RegExp(String.raw`^\$?${TICKER}\b\s*`, "u").exec(next);
    const tgeNext = (rest: string) => gap !== null && TGE_WORDS.test(rest.toLowerCase());
    if (tgeNext(next) || (ticker && tgeNext(next.slice(ticker[0].length)))) anchor(2, "'Name TGE'");
    else if (gap?.[1] && ticker) anchor(2, "possessive ticker");
    if (rules.verbAfter.test(after)) anchor(2, "subject of a launch verb");
    if (/^,\s+(?:a|an|the|which|whose|who)\b/u.test(after)) anchor(2, "appositive");
    if (rules.descriptorBefore.test(before)) anchor(2, "descriptor");
    if (run.start < text.title.length) candidate.bonus = Math.max(candidate.bonus, 1);
    else candidate.bonus = Math.min(candidate.bonus + 0.5, 2);
  }

  let best: NameCandidate | undefined;
  for (const candidate of candidates.values()) {
    if (symbol && abbreviates(symbol, candidate.name)) {
      candidate.anchor += 3;
      candidate.reasons.add("ticker abbreviates name");
    }
    if (candidate.anchor < 2) continue;
    const total = candidate.anchor + candidate.bonus;
    const bestTotal = best ? best.anchor + best.bonus : -1;
    if (total > bestTotal || (total === bestTotal && best && candidate.first < best.first)) best = candidate;
  }
  return best ? { name: best.name, reasons: best.reasons } : undefined;
}

interface Run {
  readonly name: string;
  readonly words: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** Runs of up to three capitalized words that could be a name, split at stopwords, verbs and acronyms. */
function* nameRuns(all: string, from: number, rules: Rules, excluded: ReadonlySet<string>): Generator<Run> {
  let words: { word: string; start: number; end: number }[] = [];
  let poisoned = false;
  const flush = function* (): Generator<Run> {
    // "Mirevale Biotech" is the biotech, not a project called "Biotech".
    if (poisoned) words = [];
    poisoned = false;
    while (words.length > 0 && GENERIC_SUFFIXES.has(words[0]?.word.toLowerCase() ?? "")) words.shift();
    const first = words[0];
    const last = words[words.length - 1];
    if (first && last && words.length <= 3) {
      yield { name: words.map((w) => w.word).join(" "), words: words.map((w) => w.word), start: first.start, end: last.end };
    }
    words = [];
  };
  for (const m of all.slice(from).matchAll(/[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*/gu)) {
    const word = m[0];
    const start = from + m.index;
    const lower = word.toLowerCase();
    const acronym = word.length > 1 && word === word.toUpperCase() && !GENERIC_SUFFIXES.has(lower);
    const nameWord = /^\p{Lu}/u.test(word) && !acronym && !rules.stopwords.has(lower) && !/^\d/.test(word);
    const previous = words[words.length - 1];
    const joined = previous !== undefined && /^[ \t]+$/.test(all.slice(previous.end, start));
    if (!nameWord || !joined) yield* flush();
    if (!nameWord) continue;
    words.push({ word, start, end: start + word.length });
    if (excluded.has(lower)) poisoned = true;
  }
  yield* flush();
}

/** "ZPH" abbreviates "Zephyrine Labs": same first letter, the rest in order. */
function abbreviates(symbol: string, name: string): boolean {
  const letters = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  const wanted = symbol.toLowerCase();
  if (letters[0] !== wanted[0]) return false;
  let at = 0;
  for (const char of wanted) {
    at = letters.indexOf(char, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

interface Match {
  readonly index: number;
  readonly text: string;
}

function positions(re: RegExp, text: string): Match[] {
  return [...text.matchAll(re)].map((m) => ({ index: m.index, text: m[0] }));
}

function firstIndex(re: RegExp, text: string): number {
  return re.exec(text)?.index ?? -1;
}

function wordDistance(text: Text, a: number, b: number): number {
  return Math.abs(wordIndex(text.wordStarts, a) - wordIndex(text.wordStarts, b));
}

/** The word containing character `offset`: the last word starting at or before it. */
function wordIndex(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const signed = (weight: number) => `${weight < 0 ? "-" : "+"}${Math.abs(weight).toFixed(2)}`;
const quote = (text: string) => `'${text.replace(/\s+/g, " ").trim().slice(0, 40)}'`;
