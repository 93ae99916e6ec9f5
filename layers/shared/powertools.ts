import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * Observability set up once per process and imported by every handler.
 * Service name, log level and namespace come from POWERTOOLS_* variables the CDK sets.
 *
 * @example
 * import { logger } from "#shared/powertools";
 * logger.info("task submitted", { taskId });
 */
export const logger = new Logger();
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "TgeSwarm" });
export const tracer = new Tracer();
