import * as z from "zod";
import { INSIGHT_TOPICS, type Insight, InsightsEnvironment, SharedMemory } from "#coordination/published/insights";
import type { TgeCandidate } from "#detection/domain/detection";
import { FeedItem } from "#detection/domain/feed";
import { KeywordConfig, WatchedProject } from "#detection/domain/keyword-config";
import { DETECTION_DOCUMENTS } from "#detection/published/settings";
import { s3SettingsReader, SettingsEnv } from "#optimization/published/settings-reader";
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
 * as a `tge.validate` task. Every score is returned with the signals behind it and the version
 * of the `detection-keywords` settings document it was scored with (revalidated by version id at most
 * SETTINGS_MAX_AGE_SECONDS after the last check, so a tuned config applies without a restart).
 * The watchlist also follows data-quality's validated projects (shared insights, re-read every
 * syncInterval), so a project validated once is recognized by its ticker on the next items.
 */
export function keywordPrecision(context: SpecialistContext): Specialist {
  const submit = submitterFor(context);
  const env = { ...InsightsEnvironment.read(context.env), ...readEnv(SettingsEnv, context.env) };
  const memory = new SharedMemory({ db: context.db, tableName: env.INSIGHTS_TABLE, contributor: `agent:${context.agentId}` });
  const keywords = s3SettingsReader({
    s3: context.s3,
    env,
    document: DETECTION_DOCUMENTS.keywords,
    schema: KeywordConfig,
    onProblem: (message, details) => context.logger.error(message, details),
  });
  let validated: readonly Insight[] = [];
  let following: { stop(): void } | undefined;
  // The config with the validated projects added, made again only when either changes.
  let built: { version: string; insights: readonly Insight[]; config: KeywordConfig } | undefined;
  const configNow = async () => {
    const current = await keywords.current();
    if (built?.version !== current.version || built.insights !== validated) {
      built = { version: current.version, insights: validated, config: withValidatedProjects(current.value, validated) };
    }
    return built;
  };

  const score: TaskHandler = async (payload) => {
    const { item, fingerprint } = payloadOf(ScorePayload, payload);
    const { config, version } = await configNow();
    const verdict = scoreItem(item, config);
    const result = {
      itemId: item.id,
      score: verdict.score,
      isTge: verdict.isTge,
      signals: verdict.signals,
      configVersion: config.version,
      /** The S3 version of `detection-keywords` this score used. */
      settingsVersion: version,
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
      timeoutSeconds: (await context.runtimeSettings.current()).value.agentTypes["data-quality"].taskTimeoutSeconds,
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
            validated = insights;
            context.logger.info("watchlist follows validated projects", { validated: insights.length });
          },
          onError: (error) => context.logger.warn("could not read validated projects; trying again next sync", { error }),
        });
      },
      stop: async () => following?.stop(),
    },
  };
}
