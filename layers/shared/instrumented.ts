import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj, type MiddyfiedHandler } from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "./powertools";

/**
 * One INFO line per invocation with its duration and outcome, so every invocation can be
 * found and timed in the logs without turning on DEBUG.
 */
function invocationSummary<E, R>(summarize: (response: R) => Record<string, unknown>): MiddlewareObj<E, R, Error, Context> {
  const started = new WeakMap<object, number>();
  return {
    before: async (request) => {
      started.set(request, performance.now());
    },
    after: async (request) => {
      const durationMs = Math.round(performance.now() - (started.get(request) ?? performance.now()));
      logger.info("invocation finished", { durationMs, ...summarize(request.response as R) });
    },
    onError: async (request) => {
      const durationMs = Math.round(performance.now() - (started.get(request) ?? performance.now()));
      // An error middleware that ran before this one may have turned the error into a response.
      if (request.response !== undefined) logger.info("invocation finished", { durationMs, ...summarize(request.response as R) });
      else logger.info("invocation failed", { durationMs, error: request.error?.name });
    },
  };
}

/**
 * A handler with the observability every TGE Swarm function has: Powertools log context and
 * cold-start flag, metrics flushed per invocation, and a one-line summary of each invocation.
 *
 * @example
 * export const handler = instrumented(async (event: DynamoDBStreamEvent) => relayAll(event), (r) => ({ failures: r.batchItemFailures.length }));
 */
export function instrumented<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  summarize: (response: R) => Record<string, unknown> = () => ({}),
): MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(invocationSummary<E, R>(summarize))
    .handler(handler);
}
