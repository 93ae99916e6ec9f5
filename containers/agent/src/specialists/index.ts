import { DIAGNOSTIC_HANDLERS } from "../handlers/diagnostics";
import { dataQuality } from "./data-quality";
import { keywordPrecision } from "./keyword-precision";
import { reviewer } from "./reviewers";
import { scrapingEfficiency } from "./scraping-efficiency";
import type { Specialist, SpecialistContext } from "./specialist";

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
