import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { OPTIMIZATION_RECOMMENDED, type Recommendation } from "#kernel/bus/optimization";

/** The bus event a reviewer's recommendation is announced as; the optimization pipeline takes it from there. */
export const recommendationEvent = (recommendation: Recommendation): DomainEvent<Recommendation> => ({
  source: EVENT_SOURCES.optimization,
  detailType: OPTIMIZATION_RECOMMENDED,
  detail: recommendation,
});
