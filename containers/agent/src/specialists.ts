import { DIAGNOSTIC_HANDLERS } from "./runtime/diagnostics";
import { dataQuality } from "./detection/data-quality";
import { keywordPrecision } from "./detection/keyword-precision";
import { reviewer } from "./optimization/reviewers";
import { scrapingEfficiency } from "./detection/scraping-efficiency";
import type { Specialist, SpecialistContext } from "./runtime/specialist";

/** The agent's specialty for its type, with the diagnostic task types every agent serves. */
export function specialistFor(context: SpecialistContext): Specialist {
  const specialty = (() => {
    switch (context.agentType) {
      case "scraping-efficiency":
        return scrapingEfficiency(context);
      case "keyword-precision":
        return keywordPrecision(context);
      case "data-quality":
        return dataQuality(context);
      case "api-reliability":
      case "performance-optimizer":
        return reviewer(context, context.agentType);
    }
  })();
  return { ...specialty, handlers: { ...DIAGNOSTIC_HANDLERS, ...specialty.handlers } };
}
