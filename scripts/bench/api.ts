import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, waitUntilFunctionActive } from "@aws-sdk/client-lambda";
import type { LocalOutputs } from "../local/outputs";
import { ensureUser, tokenOf } from "../local/users";
import { zip } from "../local/zip";
import { percentile } from "./stats";

/** Seed 001: 1,000 req/s at p95 < 500 ms; seed 002: p95 < 200 ms. */
const TARGETS = { requestsPerSecond: 1_000, p95Ms: { seed001: 500, seed002: 200 } } as const;

interface PhaseFigures {
  readonly requests: number;
  readonly ok: number;
  /** Refused for the caller's request budget (the per-user token bucket, ADR 0016). */
  readonly rateLimited: number;
  readonly failed: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
}

/** `concurrency` callers, each sending its next request when the last one answers, for `seconds`. */
async function load(seconds: number, concurrency: number, call: (worker: number) => Promise<number>): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let ok = 0;
  let rateLimited = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await call(worker).catch(() => 0);
        latencies.push(performance.now() - sent);
        if (status >= 200 && status < 300) ok++;
        else if (status === 429) rateLimited++;
        else failed++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: latencies.length,
    ok,
    rateLimited,
    failed,
    requestsPerSecond: round(ok / elapsed),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
    },
  };
}

/** A trivial function behind an HTTP API of its own (no authorizer): the emulator's raw Lambda-behind-HTTP-API rate. */
async function rawEndpoint(outputs: LocalOutputs): Promise<string> {
  const lambda = new LambdaClient({ endpoint: outputs.endpoint, region: outputs.region });
  const apis = new ApiGatewayV2Client({ endpoint: outputs.endpoint, region: outputs.region });
  const stamp = Date.now().toString(36);
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `bench-raw-http-${stamp}`,
      Runtime: "nodejs22.x",
      Role: "arn:aws:iam::000000000000:role/bench",
      Handler: "index.handler",
      Code: {
        ZipFile: zip({ "index.mjs": 'export const handler = async () => ({ statusCode: 200, body: "{\\"ok\\":true}" });' }),
      },
    }),
  );
  await waitUntilFunctionActive({ client: lambda, maxWaitTime: 60 }, { FunctionName: fn.FunctionName });
  const api = await apis.send(new CreateApiCommand({ Name: `bench-raw-${stamp}`, ProtocolType: "HTTP" }));
  const integration = await apis.send(
    new CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: "AWS_PROXY",
      IntegrationUri: fn.FunctionArn,
      PayloadFormatVersion: "2.0",
    }),
  );
  await apis.send(
    new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: "GET /ping", Target: `integrations/${integration.IntegrationId}` }),
  );
  await apis.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: "$default", AutoDeploy: true }));
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: fn.FunctionName,
      StatementId: "bench-http",
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
    }),
  );
  return `${outputs.endpoint}/_aws/execute-api/${api.ApiId}/ping`;
}

/**
 * Sustained load on the API (issue 14, seeds 001 and 002): `GET /api/tasks/{id}` and
 * `POST /api/tasks` — JWT authorizer, the route's function, its per-user request budget, the
 * DynamoDB work — with `concurrency` callers for `seconds` each, spread over `users` users (each
 * user's budget is 50 reads and 20 writes a second, ADR 0016), beside a trivial function behind
 * an HTTP API of its own in the same run: what the emulator itself does per request.
 */
export async function apiBenchmark(outputs: LocalOutputs, options: { seconds: number; concurrency: number; users: number }) {
  const users = Array.from({ length: options.users }, (_, i) => ({
    username: `bench-${i}`,
    password: `Bench-Passw0rd-${i}!`,
    group: "admin" as const,
  }));
  for (const user of users) await ensureUser(outputs, user);
  const tokens = await Promise.all(users.map((user) => tokenOf(outputs, user)));
  const tokenFor = (worker: number) => tokens[worker % tokens.length] as string;
  const call = async (url: string, token?: string, body?: unknown) => {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const submitted = await fetch(`${outputs.HttpApiUrl}/api/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokenFor(0)}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "diagnostics.echo", agentType: "data-quality", payload: { bench: "api" } }),
    signal: AbortSignal.timeout(15_000),
  });
  const { taskId } = (await submitted.json()) as { taskId: string };
  const raw = await rawEndpoint(outputs);

  // A short warm-up of each path first: the emulator starts function instances on first use.
  for (const warm of [() => call(raw), () => call(`${outputs.HttpApiUrl}/api/tasks/${taskId}`, tokenFor(0))]) {
    await load(3, options.concurrency, warm);
  }
  const rawFigures = await load(options.seconds, options.concurrency, () => call(raw));
  const getTask = await load(options.seconds, options.concurrency, (worker) =>
    call(`${outputs.HttpApiUrl}/api/tasks/${taskId}`, tokenFor(worker)),
  );
  const submitTask = await load(options.seconds, options.concurrency, (worker) =>
    call(`${outputs.HttpApiUrl}/api/tasks`, tokenFor(worker), {
      type: "diagnostics.echo",
      agentType: "data-quality",
      priority: "low",
      payload: { bench: worker },
    }),
  );
  const ratio = (phase: PhaseFigures) =>
    Math.round((phase.requestsPerSecond / Math.max(1, rawFigures.requestsPerSecond)) * 100) / 100;
  // On AWS, a function's concurrency is its rate times its duration: what 1,000 req/s would hold busy.
  const concurrencyAt1000 = (phase: PhaseFigures) => Math.ceil((TARGETS.requestsPerSecond * phase.latencyMs.p50) / 1_000);
  return {
    seconds: options.seconds,
    concurrency: options.concurrency,
    users: options.users,
    targets: TARGETS,
    rawLambdaBehindHttpApi: rawFigures,
    getTask: { ...getTask, overRaw: ratio(getTask) },
    submitTask: { ...submitTask, overRaw: ratio(submitTask) },
    aws: {
      note: "HTTP API's default account throttle is 10,000 req/s (5,000 burst) and Lambda's default concurrency 1,000 per region; at each route's local p50 (an upper bound for AWS, where the emulator's own overhead is absent), 1,000 req/s would hold this many instances busy:",
      getTaskConcurrencyAt1000: concurrencyAt1000(getTask),
      submitTaskConcurrencyAt1000: concurrencyAt1000(submitTask),
      perUserBudget: "one user is held to 50 reads and 20 writes a second: 1,000 req/s is many users, as the seeds mean it",
    },
  };
}
