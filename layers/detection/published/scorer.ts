/**
 * The keyword scorer as other contexts may use it: the `jobs` context's `scorer-training` tunes
 * the `detection-keywords` document by scoring labelled items with exactly the code
 * keyword-precision agents run, so tuned figures are the figures agents will get.
 */
export { scoreItem, type TgeScore } from "../domain/tge-scoring";
export { DEFAULT_KEYWORD_CONFIG, KeywordConfig } from "../domain/keyword-config";
