import * as z from "zod";

/**
 * A regular expression kept as its source text, so the config stays plain JSON. It is compiled
 * case-insensitively (flags "iu") against the lower-cased item text; an invalid source is
 * refused when the config is parsed rather than when the first item is scored.
 */
const RegexSource = z
  .string()
  .min(1)
  .refine((source) => {
    try {
      new RegExp(source, "iu");
      return true;
    } catch {
      return false;
    }
  }, "is not a valid regular expression");

/** One phrase or pattern and what a match is worth. Each rule counts once per item, however often it matches. */
export const WeightedRule = z
  .object({
    /** Names the rule in signals when the matched text alone would not explain it. */
    label: z.string().min(1),
    pattern: RegexSource,
    weight: z.number().min(0).max(1),
  })
  .strict();
export type WeightedRule = z.infer<typeof WeightedRule>;

/** Why a text that looks like a TGE story is not one. */
export const NEGATIVE_CATEGORIES = [
  "price-talk",
  "rumor",
  "past-event",
  "ai-tokens",
  "unlock",
  "nft",
  "ipo",
  "other-meaning",
] as const;
export const NegativeCategory = z.enum(NEGATIVE_CATEGORIES);
export type NegativeCategory = z.infer<typeof NegativeCategory>;

export const NegativeRule = WeightedRule.extend({ category: NegativeCategory }).strict();
export type NegativeRule = z.infer<typeof NegativeRule>;

const Ticker = z.string().regex(/^[A-Z0-9]{2,10}$/, "is an upper-case ticker of 2 to 10 letters or digits");

/**
 * A project we already know. Its name only counts as a mention when crypto context words (its own
 * or the global ones) are near it, since names like these are also borne by bakeries and biotechs;
 * its ticker anywhere in the text is strong evidence on its own.
 */
export const WatchedProject = z
  .object({
    slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "is lower-case words joined by hyphens"),
    name: z.string().min(1),
    symbol: Ticker.optional(),
    aliases: z.array(z.string().min(1)).default([]),
    contextWords: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type WatchedProject = z.infer<typeof WatchedProject>;

/**
 * How keyword-precision scores an item. Plain data throughout: it is stored as a versioned JSON
 * document and tuned without a deploy.
 */
export const KeywordConfig = z
  .object({
    version: z.string().min(1),
    /** The score from which an item with an identified project counts as a TGE. */
    threshold: z.number().min(0).max(1),
    /** A match found only in the body counts this fraction of its weight; the headline says what a story is about. */
    bodyWeight: z.number().min(0).max(1),
    positive: z.array(WeightedRule).min(1),
    negative: z.array(NegativeRule),
    context: z
      .object({
        /** Words that place a text in crypto. Each also matches its plural and -ed/-ing forms. */
        words: z.array(z.string().min(1)).min(1),
        /** How many words either side of a watched project's name its context may be found. */
        window: z.number().int().min(1).max(100),
      })
      .strict(),
    evidence: z
      .object({
        /** A ticker found in the text ($ABC, "(ABC)", "ABC token"). */
        symbol: z.number().min(0).max(1),
        /** A watched project named in crypto context, or its ticker seen. */
        watchlist: z.number().min(0).max(1),
        /** Subtracted when no project could be identified: a TGE of nobody is not actionable. */
        noProject: z.number().min(0).max(1),
        /** Subtracted when nothing in the text is about crypto. */
        noContext: z.number().min(0).max(1),
      })
      .strict(),
    projects: z.array(WatchedProject),
    /** Finding projects that are not on the watchlist, from the text alone. */
    extraction: z
      .object({
        /** Upper-case words that are never tickers (acronyms, currencies, majors). */
        ignoreSymbols: z.array(Ticker),
        /** Capitalized words that are never (part of) a project name. Compared lower-cased. */
        nameStopwords: z.array(z.string().min(1)),
        /** What a project does in a headline ("Brindle sets …", "Wyncrest DAO to launch …"). Lower-case. */
        nameVerbs: z.array(z.string().min(1)),
        /** Nouns that introduce a name ("lending protocol Velkora", "wallet maker Lumbrook"). Lower-case. */
        descriptors: z.array(z.string().min(1)),
      })
      .strict(),
  })
  .strict();
export type KeywordConfig = z.infer<typeof KeywordConfig>;
export type KeywordConfigInput = z.input<typeof KeywordConfig>;

const rule = (label: string, pattern: string, weight: number): WeightedRule => ({ label, pattern, weight });
const against = (category: NegativeCategory, label: string, pattern: string, weight: number): NegativeRule => ({
  category,
  label,
  pattern,
  weight,
});

/** A ticker as it may follow "native", "governance": `$ABC` or `ABC`. */
const TICKER = String.raw`(?:\$?[a-z0-9]{2,10}\s+)?`;
const PRICE_VERB = String.raw`(?:surg|soar|rall|plung|tumbl|slid|slip|slump|dip|jump|climb|gain|los|shed|drop|fell|fall|sink|sank|rise|rose|spik|crash|rebound|doubl|tripl)\w*`;

export const DEFAULT_KEYWORD_CONFIG: KeywordConfig = KeywordConfig.parse({
  version: "2026-03-12.1",
  threshold: 0.5,
  bodyWeight: 0.6,
  positive: [
    rule("token generation event", String.raw`\btoken generation events?\b`, 0.5),
    rule("TGE", String.raw`\btge\b`, 0.4),
    // "launches mainnet and THW token": launch and token in one clause, but not "token-based pricing".
    rule(
      "token launch",
      String.raw`\b(?:token|coin) launch(?:es)?\b|\b(?:launch|debut|roll(?:s|ed|ing)? out|introduc)\w*\b[^.;:!?]{0,40}?\btokens?\b(?![\w-])`,
      0.35,
    ),
    rule(
      "token goes live",
      String.raw`\b(?:tokens?|\$[a-z][a-z0-9]{1,9})\s+(?:\w+\s+){0,2}?(?:goes|went|is now|is) live\b|\b(?:is )?now tradable\b`,
      0.35,
    ),
    rule("goes live", String.raw`\b(?:goes|went|go|is|now) live\b`, 0.15),
    rule("airdrop", String.raw`\bairdrop(?:s|ped)?\b`, 0.15),
    rule("claim", String.raw`\bclaim(?:s|ed|able|ing)?\b`, 0.15),
    rule("native token", String.raw`\b(?:native|governance|utility|gas)\s+${TICKER}token\b`, 0.15),
    rule(
      "listing",
      String.raw`\blist(?:s|ed|ing|ings)?\b|\btrading (?:opens?|opened|began|begins|starts?|started|is expected to open)\b`,
      0.1,
    ),
    rule("scheduled", String.raw`\b(?:set|scheduled|slated|planned) for\b|\bwill (?:hold|launch|take place)\b`, 0.1),
    rule("tokenomics", String.raw`\btokenomics\b|\b(?:of|the) (?:the )?(?:total |token )?supply\b`, 0.1),
    rule("mainnet", String.raw`\bmainnet\b`, 0.1),
    rule("eligibility", String.raw`\bsnapshot\b|\beligib(?:le|ility)\b`, 0.1),
  ],
  negative: [
    against(
      "price-talk",
      "price move",
      String.raw`\b${PRICE_VERB}\b[^.;]{0,25}?\d+(?:\.\d+)?\s?%|\b(?:up|down)\s\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?% (?:below|above)\b`,
      0.5,
    ),
    against(
      "price-talk",
      "price verb",
      String.raw`\b(?:surge[sd]?|soar(?:s|ed)?|rall(?:y|ies|ied)|plunge[sd]?|tumble[sd]?|slides?|slid|slump(?:s|ed)?|double[sd]?)\b`,
      0.5,
    ),
    against(
      "price-talk",
      "market analysis",
      String.raw`\bprice (?:prediction|analysis|target|action)\b|\ball-time high\b|\b(?:support|resistance)\s+(?:at|level|zone)\b|\$[\d.]+\s+(?:support|resistance)\b|\bbull(?:s|ish)\b|\bbear(?:s|ish)\b|\bmarket wrap\b|\bopen interest\b|\btrading volume\b|\bmarket cap\b|\bfully diluted valuation\b`,
      0.5,
    ),
    against("price-talk", "derivatives", String.raw`\bpre-market\b|\bfutures\b|\bperpetual contracts\b`, 0.3),
    against(
      "rumor",
      "speculation",
      String.raw`\brumou?rs?\b|\bspeculation\b|\bspeculate[sd]?\b|\bchatter\b|\bunconfirmed\b|\bsources say\b|\bpeople familiar\b|\breportedly\b|\banalysts? (?:expect|predict|say)\b|\beventually\b|\bhint(?:s|ed|ing)?\b`,
      0.5,
    ),
    against(
      "rumor",
      "hedged plan",
      String.raw`\b(?:may|might|could|would)\s+(?:\w+\s+)?(?:launch|hold|issue|release|introduce)\b|\b(?:considering|weighing|exploring|mulling)\s+(?:\w+\s+)?(?:a\s+)?(?:token|tge|airdrop)\b|\bin the hope of\b`,
      0.5,
    ),
    against(
      "rumor",
      "denial",
      String.raw`\bden(?:y|ies|ied)\b|\bno plans\b|\bno (?:token|tge)\b|\b(?:has|have) not (?:confirmed|announced)\b|\bdoes not have a token\b|\bnot (?:planning|launching)\b`,
      0.6,
    ),
    against(
      "rumor",
      "called off",
      String.raw`\bpostponed indefinitely\b|\bcancel(?:s|led|ed)\b|\bscrap(?:s|ped)\b|\bcalled off\b|\bshelved\b`,
      0.5,
    ),
    against(
      "past-event",
      "already happened",
      String.raw`\bsince (?:its|the) (?:tge|token generation event|token launch|launch|debut)\b|\b(?:day|week|month|year)s? (?:after|since) (?:its |the )?(?:tge|token generation event|token launch|launch|debut)\b|\bafter (?:last )?\w+day's (?:tge|token generation event)\b|\blaunched in \d{4}\b|\bon (?:its )?debut\b|\b(?:a|one|two|three|six|\d+) (?:years?|months?|weeks?) later\b|\b(?:its|the) launch price\b`,
      0.4,
    ),
    against(
      "ai-tokens",
      "AI usage",
      String.raw`\btokens? per (?:second|minute)\b|\btoken (?:limits?|count|window)\b|\bcontext window\b|\bper million tokens\b|\b(?:input|output) tokens\b`,
      0.5,
    ),
    against(
      "ai-tokens",
      "AI vocabulary",
      String.raw`\b(?:large )?language models?\b|\bllms?\b|\bprompts?\b|\binference\b|\bchatbots?\b|\bgpus?\b|\bgpu-hours?\b`,
      0.5,
    ),
    against("unlock", "unlock", String.raw`\bunlock(?:s|ed|ing)?\b`, 0.5),
    against("unlock", "vesting", String.raw`\bvest(?:s|ed|ing)?\b|\bcliff\b|\btranches?\b`, 0.4),
    against("nft", "NFT", String.raw`\bnfts?\b|\btoken-gated\b`, 0.5),
    against(
      "nft",
      "mint drop",
      String.raw`\b(?:public|free) mint\b|\bmint(?:s|ed)?\b[^.]{0,20}\b(?:sells?|sold) out\b|\bminted\b|\ballowlist\b|\bgenerative (?:art|avatars?)\b`,
      0.4,
    ),
    against(
      "ipo",
      "equity",
      String.raw`\bipo\b|\binitial public offering\b|\b(?:share|stock|secondary|follow-on) offering\b|\bstock exchange\b|\bper share\b|\bshares\b|\b(?:its|the) stock\b`,
      0.6,
    ),
    // An acronym spelled out as anything but token generation event: "The Great Expedition (TGE)".
    against(
      "other-meaning",
      "TGE spelled out otherwise",
      String.raw`\bthermogravimetric\b|\b(?!token generation event)t[\w-]*[- ]g\w*\s+e\w*\s*\(tge\)`,
      0.7,
    ),
  ],
  context: {
    words: [
      "blockchain",
      "crypto",
      "cryptocurrency",
      "web3",
      "defi",
      "dex",
      "dapp",
      "dao",
      "on-chain",
      "onchain",
      "cross-chain",
      "wallet",
      "staking",
      "staker",
      "restaking",
      "validator",
      "mainnet",
      "testnet",
      "rollup",
      "layer-1",
      "layer-2",
      "airdrop",
      "tokenomics",
      "stablecoin",
      "depin",
      "liquidity",
      "smart contract",
      "self-custody",
      "proof-of-work",
      "proof-of-stake",
      "zero-knowledge",
      "decentralized",
    ],
    window: 15,
  },
  evidence: { symbol: 0.15, watchlist: 0.1, noProject: 0.3, noContext: 0.4 },
  projects: [
    {
      slug: "quillon",
      name: "Quillon Network",
      symbol: "QLN",
      aliases: ["Quillon"],
      contextWords: ["payments", "rollup"],
    },
    { slug: "mirevale", name: "Mirevale", symbol: "MRV", contextWords: ["restaking", "points campaign"] },
    { slug: "halvyn", name: "Halvyn", symbol: "HLV", contextWords: ["data-availability", "node operator"] },
    { slug: "velkora", name: "Velkora", symbol: "VLK", contextWords: ["lending", "lender"] },
    { slug: "tessarine", name: "Tessarine", contextWords: ["points program"] },
  ],
  extraction: {
    ignoreSymbols: [
      ...["TGE", "NFT", "NFTS", "DEX", "DAO", "DEFI", "DEPIN", "DAPP", "UTC", "GMT", "API", "LLM", "GPU", "AI", "CEO", "CTO"],
      ...["IPO", "USD", "EUR", "EV", "FDV", "TVL", "APR", "APY", "ATH", "KYC", "SEC", "ETF", "US", "UK", "EU", "OTC", "L1"],
      ...["L2", "ZK", "P2P", "RPC", "SDK", "TBA", "FAQ", "BTC", "ETH", "SOL", "USDT", "USDC"],
    ],
    nameStopwords: [
      ...["a", "an", "the", "this", "that", "these", "those", "its", "it", "their", "our", "we", "they", "all", "every", "each"],
      ...["after", "before", "as", "at", "by", "for", "from", "in", "into", "of", "on", "to", "with", "and", "but", "or", "if"],
      ...["when", "while", "why", "how", "what", "who", "new", "free", "report", "exclusive", "breaking", "update", "analysis"],
      ...["market", "markets", "price", "prediction", "analyst", "analysts", "token", "tokens", "tge", "airdrop", "claims"],
      ...["claim", "mainnet", "testnet", "launch", "listing", "trading", "event", "generation", "date", "live", "crypto"],
      ...["exchange", "dex", "defi", "depin", "users", "holders", "team", "season", "phase", "ticker", "tickers"],
      ...["series", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february"],
      ...["march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "today"],
    ],
    nameVerbs: [
      ...["announces", "announced", "sets", "confirms", "confirmed", "schedules", "scheduled", "launches", "launched"],
      ...["opens", "opened", "unveils", "unveiled", "completes", "completed", "debuts", "reveals", "starts", "started"],
      ...["begins", "began", "said", "says", "to launch", "will launch", "will hold", "will mint", "has launched"],
      ...["has started", "has confirmed", "has announced", "kicks off", "kicked off"],
    ],
    descriptors: [
      ...["protocol", "network", "platform", "exchange", "aggregator", "app", "chain", "market", "rollup", "wallet"],
      ...["dao", "startup", "project", "layer-1", "layer-2", "depin", "maker", "lab", "studio"],
    ],
  },
} satisfies KeywordConfigInput);
