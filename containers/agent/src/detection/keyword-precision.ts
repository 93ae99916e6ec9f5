import * as z from "zod";
import type { TgeCandidate } from "#detection/domain/detection";
import { FeedItem } from "#detection/domain/feed";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/domain/keyword-config";
import { scoreItem } from "#detection/domain/tge-scoring";
import { payloadOf } from "../runtime/payload";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";
import { submitterFor } from "../runtime/task-submission";

const ScorePayload = z.object({ item: FeedItem, fingerprint: z.string().min(1), feedUrl: z.string().min(1) }).strict();

/**
 * keyword-precision: `tge.score` scores a feed item's TGE likelihood (weighted phrases,
 * look-alike penalties, project-name disambiguation) and passes a likely TGE to data-quality
 * as a `tge.validate` task. Every score is returned with the signals behind it.
 */
export function keywordPrecision(context: SpecialistContext): Specialist {
  const submit = submitterFor(context);
  const config = DEFAULT_KEYWORD_CONFIG;

  const score: TaskHandler = async (payload) => {
    const { item, fingerprint } = payloadOf(ScorePayload, payload);
    const verdict = scoreItem(item, config);
    const result = {
      itemId: item.id,
      score: verdict.score,
      isTge: verdict.isTge,
      signals: verdict.signals,
      configVersion: config.version,
      ...(verdict.project ? { project: { ...verdict.project } } : {}),
    };
    if (!verdict.isTge || !verdict.project) return result;
    const candidate: TgeCandidate = {
      itemId: item.id,
      url: item.url,
      title: item.title,
      content_text: item.content_text,
      source: item._source ?? new URL(item.url).host,
      publishedAt: item.date_published,
      score: verdict.score,
      project: verdict.project,
      signals: verdict.signals,
    };
    const { task } = await submit({
      type: "tge.validate",
      agentType: "data-quality",
      priority: "high",
      timeoutSeconds: 60,
      idempotencyKey: `validate:${fingerprint}`,
      payload: candidate,
    });
    return { ...result, validationTaskId: task.taskId };
  };

  return { handlers: { "tge.score": score } };
}
