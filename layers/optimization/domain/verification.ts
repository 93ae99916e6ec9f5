import type { DetectionEvaluation } from "#detection/published/settings";
import type { TypeOutcomes } from "#tasks/published/task-figures";

/** One check of a verification: what was compared, whether it held, and the figures. */
export interface VerificationCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly figures?: Readonly<Record<string, number>>;
}

/** A change to detection may cost at most this much precision or recall on the labelled sample. */
export const LABELLED_SAMPLE_TOLERANCE = 0.02;
/** Fewer finished tasks than this in the window after a change: too little traffic to judge it by. */
export const MIN_FINISHED_TO_JUDGE = 5;
/** A rate is worse when it rose by more than this many points… */
export const RATE_RISE_POINTS = 0.05;
/** …and to more than this multiple of what it was. */
export const RATE_RISE_FACTOR = 1.5;

/**
 * The stored version is what was meant to be stored: its bytes equal those written, and they
 * parse with the document's schema.
 */
export function storedCheck(expected: Uint8Array, stored: Uint8Array | undefined, parses: boolean): VerificationCheck {
  if (!stored) return { name: "schema", passed: false, detail: "the new version could not be read back" };
  if (Buffer.compare(Buffer.from(expected), Buffer.from(stored)) !== 0)
    return { name: "schema", passed: false, detail: "the stored version differs from what was written" };
  return parses
    ? { name: "schema", passed: true, detail: "the stored version is the patched document and parses with its schema" }
    : { name: "schema", passed: false, detail: "the stored version does not parse with the document's schema" };
}

/**
 * A detection change on the labelled sample feed: precision and recall (per event and per item)
 * must not fall by more than LABELLED_SAMPLE_TOLERANCE against the version before.
 *
 * @example
 * labelledSampleCheck(evaluateOnLabelledSample(before), evaluateOnLabelledSample(after)).passed
 */
export function labelledSampleCheck(before: DetectionEvaluation, after: DetectionEvaluation): VerificationCheck {
  const pairs = {
    eventPrecision: [before.events.precision, after.events.precision],
    eventRecall: [before.events.recall, after.events.recall],
    itemPrecision: [before.items.precision, after.items.precision],
    itemRecall: [before.items.recall, after.items.recall],
  } as const;
  const worse = Object.entries(pairs).filter(([, [was, now]]) => now < was - LABELLED_SAMPLE_TOLERANCE);
  const figures = Object.fromEntries(
    Object.entries(pairs).flatMap(([name, [was, now]]) => [
      [`${name}Before`, was],
      [`${name}After`, now],
    ]),
  );
  const describe = ([name, [was, now]]: [string, readonly [number, number]]) => `${name} ${was} → ${now}`;
  return worse.length > 0
    ? {
        name: "labelled-sample",
        passed: false,
        detail: `worse on the labelled sample: ${worse.map(describe).join(", ")}`,
        figures,
      }
    : {
        name: "labelled-sample",
        passed: true,
        detail: `no worse on the labelled sample (${Object.entries(pairs).map(describe).join(", ")})`,
        figures,
      };
}

const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 1000);
const rose = (before: number, after: number) => after > before + RATE_RISE_POINTS && after > before * RATE_RISE_FACTOR;

/**
 * A runtime change on one agent type's live outcomes: the share of finished tasks that did not
 * complete, and of attempts that timed out, in the window after the change against the window
 * before. Worse means up by more than RATE_RISE_POINTS and to more than RATE_RISE_FACTOR times
 * what it was. With fewer than MIN_FINISHED_TO_JUDGE tasks finished after, there is nothing to
 * judge by, and the change stands on its schema check.
 *
 * @example
 * taskOutcomesCheck("data-quality", { finished: 40, unsuccessful: 2, timedOut: 0 }, { finished: 38, unsuccessful: 19, timedOut: 0 }).passed // → false
 */
export function taskOutcomesCheck(agentType: string, before: TypeOutcomes, after: TypeOutcomes): VerificationCheck {
  const failure = [rate(before.unsuccessful, before.finished), rate(after.unsuccessful, after.finished)] as const;
  const timeouts = [
    rate(before.timedOut, before.finished + before.timedOut),
    rate(after.timedOut, after.finished + after.timedOut),
  ] as const;
  const figures = {
    finishedBefore: before.finished,
    finishedAfter: after.finished,
    failureRateBefore: failure[0],
    failureRateAfter: failure[1],
    timeoutShareBefore: timeouts[0],
    timeoutShareAfter: timeouts[1],
  };
  const name = `task-outcomes:${agentType}`;
  if (after.finished < MIN_FINISHED_TO_JUDGE) {
    return {
      name,
      passed: true,
      detail: `${agentType} finished ${after.finished} task(s) in the window after: too few to judge by, so the schema check stands`,
      figures,
    };
  }
  const problems = [
    ...(rose(...failure) ? [`failure rate ${failure[0]} → ${failure[1]}`] : []),
    ...(rose(...timeouts) ? [`timeout share ${timeouts[0]} → ${timeouts[1]}`] : []),
  ];
  return problems.length > 0
    ? { name, passed: false, detail: `${agentType} got worse: ${problems.join(", ")}`, figures }
    : { name, passed: true, detail: `${agentType} no worse: failure rate ${failure[0]} → ${failure[1]}`, figures };
}

/** Whether every check held. */
export const allPassed = (checks: readonly VerificationCheck[]): boolean => checks.every((check) => check.passed);
