import { DynamoDbDetectionStore } from "#detection/adapters/dynamodb-detection-store";
import { DetectionsTableEnvironment } from "#detection/adapters/function-environments";
import { acceptCandidate } from "#detection/domain/accept-candidate";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/domain/keyword-config";
import { eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { INSIGHT_TOPICS, InsightsTableEnvironment, SharedMemory } from "#coordination/published/insights";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";
import type { JsonObject } from "#kernel/json";

/** Validated projects stay in the shared memory this long after their last report. */
const VALIDATED_PROJECT_TTL_SECONDS = 30 * 24 * 3600;

/**
 * data-quality: `tge.validate` checks and sanitizes a candidate, dedupes it by event (two
 * outlets, one TGE) and announces each new TGE as `TgeDetected`. A rejected candidate completes
 * with the problems found: rejecting is a result, not a failure.
 */
export function dataQuality(context: SpecialistContext): Specialist {
  const env = DetectionsTableEnvironment.and(EventBusEnvironment).read(context.env);
  const store = new DynamoDbDetectionStore(context.db, env.DETECTIONS_TABLE);
  const publisher = new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const memory = new SharedMemory({
    db: context.db,
    tableName: InsightsTableEnvironment.read(context.env).INSIGHTS_TABLE,
    contributor: `agent:${context.agentId}`,
  });

  const validate: TaskHandler = async (payload): Promise<JsonObject> => {
    const result = await acceptCandidate(payload, {
      store,
      publisher,
      now: new Date(),
      keywords: DEFAULT_KEYWORD_CONFIG,
    });
    if (result.outcome === "rejected") {
      context.logger.info("candidate rejected", { problems: result.problems });
      return { outcome: result.outcome, problems: [...result.problems] };
    }
    const { detectionId, eventKey, itemIds, project } = result.detection;
    if (result.outcome === "detected") context.logger.info("TGE detected", { detectionId, eventKey });
    // Cross-pollination: keyword-precision learns the validated project (and its ticker) for its next items.
    try {
      await memory.publish({
        topic: INSIGHT_TOPICS.validatedProjects,
        key: project.slug,
        value: { name: project.name, ...(project.symbol ? { symbol: project.symbol } : {}) },
        confidence: result.detection.score,
        evidence: [result.detection.url],
        ttlSeconds: VALIDATED_PROJECT_TTL_SECONDS,
      });
    } catch (error) {
      // The detection stands; the insight is published again with the event's next report.
      context.logger.warn("could not publish the validated project", { eventKey, error });
    }
    return { outcome: result.outcome, detectionId, eventKey, reports: itemIds.length };
  };

  return { handlers: { "tge.validate": validate } };
}
