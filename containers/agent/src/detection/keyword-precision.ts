import * as z from "zod";
import { INSIGHT_TOPICS, type Insight, InsightsEnv, SharedMemory } from "#coordination/published/insights";
import type { TgeCandidate } from "#detection/domain/detection";
import { FeedItem } from "#detection/domain/feed";
import { DEFAULT_KEYWORD_CONFIG, type KeywordConfig, WatchedProject } from "#detection/domain/keyword-config";
import { scoreItem } from "#detection/domain/tge-scoring";
import { readEnv } from "#shared/env";
import { payloadOf } from "../runtime/payload";
import type { TaskHandler } from "../runtime/task-handler";
import type { Specialist, SpecialistContext } from "../runtime/specialist";
import { submitterFor } from "../runtime/task-submission";

const ScorePayload = z.object({ item: FeedItem, fingerprint: z.string().min(1), feedUrl: z.string().min(1) }).strict();

/** What data-quality shares about a validated project (its insight's value). */
const ValidatedProject = z.object({ name: z.string().min(1), symbol: z.string().optional() });

/**
 * The watchlist widened by validated projects from the shared memory: each one it does not watch
 * yet is watched by name (in crypto context) and by ticker. A malformed insight is skipped.
 */
export function withValidatedProjects(config: KeywordConfig, insights: readonly Insight[]): KeywordConfig {
  const known = new Set(config.projects.map((p) => p.slug));
  const learned = insights.flatMap((insight) => {
    const value = ValidatedProject.safeParse(insight.value);
    if (!value.success || known.has(insight.key)) return [];
    const project = WatchedProject.safeParse({ slug: insight.key, name: value.data.name, symbol: value.data.symbol });
    return project.success ? [project.data] : [];
  });
  return learned.length === 0 ? config : { ...config, projects: [...config.projects, ...learned] };
}

/**
 * keyword-precision: `tge.score` scores a feed item's TGE likelihood (weighted phrases,
 * look-alike penalties, project-name disambiguation) and passes a likely TGE to data-quality
 * as a `tge.validate` task. Every score is returned with the signals behind it. The watchlist
 * follows data-quality's validated projects (shared insights, re-read every syncInterval), so a
 * project validated once is recognized by its ticker on the next items, without a deploy.
 */
export function keywordPrecision(context: SpecialistContext): Specialist {
  const submit = submitterFor(context);
  const env = readEnv(InsightsEnv, context.env);
  const memory = new SharedMemory({ db: context.db, tableName: env.INSIGHTS_TABLE, contributor: `agent:${context.agentId}` });
  let config = DEFAULT_KEYWORD_CONFIG;
  let following: { stop(): void } | undefined;

  const score: TaskHandler = async (payload) => {
    const { item, fingerprint } = payloadOf(ScorePayload, payload);
    const verdict = scoreItem(item, config);
    const result = {
      itemId: item.id,
      score: verdict.score,
      isTge: verdict.isTge,
      signals: verdict.signals,
      configVersion: config.version,
      watchedProjects: config.projects.length,
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

  return {
    handlers: { "tge.score": score },
    background: {
      start: () => {
        following = memory.follow(INSIGHT_TOPICS.validatedProjects, {
          everyMs: env.SYNC_INTERVAL_SECONDS * 1_000,
          onChange: (insights) => {
            config = withValidatedProjects(DEFAULT_KEYWORD_CONFIG, insights);
            context.logger.info("watchlist follows validated projects", { watched: config.projects.length });
          },
          onError: (error) => context.logger.warn("could not read validated projects; trying again next sync", { error }),
        });
      },
      stop: async () => following?.stop(),
    },
  };
}
