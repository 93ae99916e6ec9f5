// Prices what one task costs on AWS from the counts the orchestration benchmark measured.
//   node --import tsx scripts/bench/cost-model.ts bench/results/orchestration.json
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/**
 * Published us-east-1 list prices (December 2026), per unit, in USD: Lambda on arm64 (our
 * functions' architecture), SQS standard, DynamoDB on demand, EventBridge custom events, API
 * Gateway HTTP requests and WebSocket messages.
 */
export const US_EAST_1 = {
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  eventBridgeEvent: 1.0 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  webSocketMessage: 1.0 / 1e6,
} as const;

/** What the benchmark measured per task (see `perTask` in orchestration.ts). */
export interface MeasuredPerTask {
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly awsRequestsByService: Readonly<Record<string, number>>;
  /** Bus entries per task (each is billed, however many share a PutEvents call). */
  readonly busEvents: number;
  /** Frames one dashboard subscribed to `tasks` received per task. */
  readonly dashboardFrames: number;
  /** HTTP API requests per task that submitted it: 1, or 0.01 through `POST /api/tasks/batch`. */
  readonly apiRequests: number;
}

/**
 * Dollars per task, per line item, and per million tasks. DynamoDB requests are priced as write
 * units, the dearer kind, since most of the relay's and agents' calls are writes: an upper bound.
 *
 * @example
 * priceOf({ lambdaInvocations: 0.4, lambdaGbSeconds: 0.02, awsRequestsByService: { sqs: 4 }, busEvents: 3, dashboardFrames: 0.5, apiRequests: 1 }, 500)
 */
export function priceOf(measured: MeasuredPerTask, dashboards = 1) {
  const requests = measured.awsRequestsByService;
  const items = {
    lambdaRequests: measured.lambdaInvocations * US_EAST_1.lambdaRequest,
    lambdaCompute: measured.lambdaGbSeconds * US_EAST_1.lambdaGbSecondArm,
    sqs: (requests.sqs ?? 0) * US_EAST_1.sqsRequest,
    dynamodb: (requests.dynamodb ?? 0) * US_EAST_1.dynamoWriteUnit,
    eventBridge: measured.busEvents * US_EAST_1.eventBridgeEvent,
    httpApi: measured.apiRequests * US_EAST_1.httpApiRequest,
    webSocket: measured.dashboardFrames * dashboards * US_EAST_1.webSocketMessage,
  };
  const perTask = Object.values(items).reduce((sum, value) => sum + value, 0);
  const perMillion = (usd: number) => Math.round(usd * 1e6 * 100) / 100;
  return {
    dashboards,
    usdPerMillionTasks: perMillion(perTask),
    byItemUsdPerMillionTasks: Object.fromEntries(Object.entries(items).map(([key, usd]) => [key, perMillion(usd)])),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2] ?? "bench/results/orchestration.json";
  const { figures } = JSON.parse(readFileSync(file, "utf8")) as {
    figures: {
      tasks: number;
      perTask: Omit<MeasuredPerTask, "busEvents" | "dashboardFrames" | "apiRequests">;
      dashboard: { taskUpdatesReceived: number; framesReceived: number };
      window: { benchmarkRequests: { submits: number } };
    };
  };
  const measured: MeasuredPerTask = {
    ...figures.perTask,
    busEvents: figures.dashboard.taskUpdatesReceived / figures.tasks,
    dashboardFrames: figures.dashboard.framesReceived / figures.tasks,
    apiRequests: figures.window.benchmarkRequests.submits / figures.tasks,
  };
  console.log(JSON.stringify({ measured, oneDashboard: priceOf(measured, 1), fiveHundred: priceOf(measured, 500) }, null, 2));
}
