/**
 * Canaries for what docs/local-fidelity.md says about the emulator. Each pins one behaviour
 * a workaround in scripts/local relies on (or one we design around); when the emulator
 * changes, the canary fails and names the workaround to revisit.
 */
import { lookup } from "node:dns/promises";
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { JwtVerifier } from "aws-jwt-verify";
import type { Jwks } from "aws-jwt-verify/jwk";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { loadStageConfig } from "../../../lib/config/stage-config";
import { UNSUPPORTED_RESOURCE_TYPES } from "../../../scripts/local/emulator-compat";
import { zip } from "../../../scripts/local/zip";
import { WsClient } from "../../../scripts/local/ws-client";
import { localDashboardConfig } from "../../../scripts/local/web-server";
import { LOCAL_USERS } from "../../../scripts/local/users";
import { signIn } from "../../../web/src/auth";
import { api, eventually, outputs, tokenFor } from "../support/api";
import { E2E_OVERRIDES } from "../support/global-setup";
import { PRIORITIES } from "#kernel/task-vocabulary";

const sqs = new SQSClient({});
const lambda = new LambdaClient({});
afterAll(() => {
  sqs.destroy();
  lambda.destroy();
});

describe("local fidelity canaries", () => {
  it("CloudFormation refuses AWS::Events::Archive (UNSUPPORTED_RESOURCE_TYPES keeps it out)", async () => {
    expect(UNSUPPORTED_RESOURCE_TYPES.has("AWS::Events::Archive")).toBe(true);
    const cloudformation = new CloudFormationClient({});
    const StackName = `canary-archive-${Date.now()}`;
    const template = {
      Resources: {
        Archive: {
          Type: "AWS::Events::Archive",
          Properties: { SourceArn: `arn:aws:events:us-east-1:000000000000:event-bus/${outputs().EventBusName}` },
        },
      },
    };
    const outcome = await cloudformation
      .send(new CreateStackCommand({ StackName, TemplateBody: JSON.stringify(template) }))
      .then(async () => (await cloudformation.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0]?.StackStatus)
      .catch((error: Error) => error.message);
    cloudformation.destroy();
    expect(outcome, "the emulator now creates Archives: remove it from UNSUPPORTED_RESOURCE_TYPES").toMatch(
      /Unrecognized resource types|Unsupported|FAILED/,
    );
  });

  it("API Gateway's <apiId>.execute-api host names do not resolve; @connections answers path-style (WS_CALLBACK_URL rewrite)", async () => {
    const { WebSocketUrl, endpoint } = outputs();
    const [apiId, stage] = WebSocketUrl.split("/_aws/execute-api/")[1]?.split("/") ?? [];
    await expect(
      lookup(`${apiId}.execute-api.localhost`),
      "host names resolve now: the rewrite may be unnecessary",
    ).rejects.toThrow();
    const client = new ApiGatewayManagementApiClient({ endpoint: `${endpoint}/_aws/execute-api/${apiId}/${stage}` });
    await expect(
      client.send(new PostToConnectionCommand({ ConnectionId: "no-such-connection", Data: "x" })),
    ).rejects.toBeInstanceOf(GoneException);
    client.destroy();
  });

  it("a WebSocket dropped without a close frame still gets $disconnect (so the 410 test puts its rows back to stand for a missed one)", async () => {
    const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    const connectionId = await client.connectionId();
    client.terminate();
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await eventually(
      async () =>
        (
          await db.send(
            new GetCommand({ TableName: outputs().ConnectionsTableName, Key: { pk: `CONN#${connectionId}`, sk: "META" } }),
          )
        ).Item,
      (item) => item === undefined,
      15_000,
      "$disconnect to remove the dropped connection",
    );
    db.destroy();
  });

  it("the HTTP API refuses CORS preflights, whatever the API's CORS settings (the local page server passes /api/* through)", async () => {
    const preflight = await fetch(`${outputs().HttpApiUrl}/api/tasks`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:4600", "access-control-request-method": "POST" },
      signal: AbortSignal.timeout(10_000),
    });
    expect(preflight.headers.get("access-control-allow-origin"), "preflights pass now: the proxy may be unnecessary").toBeNull();
  });

  it("Cognito keys are served at <endpoint>/<poolId>/.well-known/jwks.json, tokens keep the AWS issuer, and they verify (JWT_JWKS_URI rewrite, cryptography pin)", async () => {
    const { endpoint, UserPoolId, UserPoolClientId } = outputs();
    const response = await fetch(`${endpoint}/${UserPoolId}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as Jwks;
    const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${UserPoolId}`;
    const verifier = JwtVerifier.create({ issuer, audience: null, jwksUri: `${issuer}/.well-known/jwks.json` });
    verifier.cacheJwks(jwks);
    const claims = await verifier.verify(await tokenFor("viewer"));
    expect(claims).toMatchObject({ iss: issuer, client_id: UserPoolClientId, token_use: "access" });
  });

  it("Cognito checks a USER_SRP_AUTH proof as AWS does (the page signs in with SRP): the right password signs in, a wrong one is refused", async () => {
    const config = localDashboardConfig(outputs());
    const { username, password } = LOCAL_USERS.viewer;
    const signedIn = await signIn(config, username, password);
    if (signedIn.kind !== "signed_in") throw new Error("the seeded viewer has no MFA");
    expect((await api("GET", "/api/tasks/status", { token: signedIn.session.accessToken })).status).toBe(200);
    // The control: a proof from another password is refused, so the emulator does verify it.
    await expect(signIn(config, username, `${password}-not`)).rejects.toMatchObject({ code: "NotAuthorizedException" });
  });

  it("queues created by CloudFormation keep their RedrivePolicy (broken in MiniStack 1.4.21)", async () => {
    for (const type of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: outputs().WorkQueueUrls[type][priority], AttributeNames: ["RedrivePolicy"] }),
        );
        expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}"), `${type}/${priority}`).toMatchObject({
          maxReceiveCount: loadStageConfig("local", E2E_OVERRIDES).maxReceiveCount,
        });
      }
    }
  });

  it("queue URLs name the emulator's own address (MINISTACK_HOST), so the SDK uses them as they are", () => {
    const host = new URL(outputs().endpoint).host;
    expect(new URL(outputs().WorkQueueUrls["data-quality"].normal).host).toBe(host);
  });

  it("functions run on the host's Node without a built-in SDK; NODE_PATH gives them ours (emulator.ts)", async () => {
    const name = `canary-sdk-${Date.now()}`;
    const code = [
      "exports.handler = async () => {",
      "  const sqs = require('@aws-sdk/client-sqs');",
      "  return { node: process.version, realSdk: typeof sqs.paginateListQueues === 'function', from: require.resolve('@aws-sdk/client-sqs') };",
      "};",
    ].join("\n");
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Role: "arn:aws:iam::000000000000:role/canary",
        Handler: "index.handler",
        Code: { ZipFile: zip({ "index.js": code }) },
      }),
    );
    const { Payload } = await lambda.send(new InvokeCommand({ FunctionName: name }));
    const answer = JSON.parse(Buffer.from(Payload ?? []).toString()) as { node: string; realSdk: boolean; from: string };
    expect(answer.node, "functions now run on the runtime's own Node").toBe(process.version);
    expect(answer).toMatchObject({ realSdk: true, from: expect.stringContaining("/node_modules/@aws-sdk/client-sqs/") });
  });

  it("IAM is not enforced, so least privilege is checked in the templates (test/infra), not here", async () => {
    const stranger = new SQSClient({ credentials: { accessKeyId: "000000000000", secretAccessKey: "not-the-secret" } });
    const answer = await stranger
      .send(
        new GetQueueAttributesCommand({ QueueUrl: outputs().WorkQueueUrls["data-quality"].normal, AttributeNames: ["QueueArn"] }),
      )
      .then(() => "allowed")
      .catch((error: Error) => error.name);
    stranger.destroy();
    expect(answer, "the emulator now enforces IAM: e2e can test permissions too").toBe("allowed");
  });

  it("a Query with a Limit costs as much as its whole partition (why a large room's join reads a kept tally, ADR 0025)", async () => {
    // GIVEN a partition of 1,000 items and one of 10
    const raw = new DynamoDBClient({});
    const db = DynamoDBDocumentClient.from(raw);
    const TableName = `canary-query-limit-${Date.now()}`;
    await raw.send(
      new CreateTableCommand({
        TableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
    try {
      const rows = (pk: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          PutRequest: { Item: { pk, sk: String(i).padStart(5, "0"), pad: "x".repeat(100) } },
        }));
      const all = [...rows("big", 1_000), ...rows("small", 10)];
      for (let i = 0; i < all.length; i += 25)
        await db.send(new BatchWriteCommand({ RequestItems: { [TableName]: all.slice(i, i + 25) } }));
      // WHEN the first 10 of each are read
      const medianMs = async (pk: string) => {
        const times: number[] = [];
        for (let i = 0; i < 8; i++) {
          const started = performance.now();
          const { Items = [] } = await db.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: "pk = :pk",
              ExpressionAttributeValues: { ":pk": pk },
              Limit: 10,
            }),
          );
          expect(Items).toHaveLength(10);
          if (i > 0) times.push(performance.now() - started);
        }
        return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
      };
      const small = await medianMs("small");
      const big = await medianMs("big");
      // THEN (on AWS both read 10 items, and take about the same)
      expect(big / small, "Limit now stops the read: update docs/local-fidelity.md and ADR 0025").toBeGreaterThan(3);
    } finally {
      await raw.send(new DeleteTableCommand({ TableName }));
      raw.destroy();
    }
  });

  it("a function that writes nothing to its log pays ~50 ms per warm call (why every handler logs one summary line)", async () => {
    const Role = "arn:aws:iam::000000000000:role/canary";
    const stamp = Date.now();
    const make = async (name: string, code: string) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs22.x",
          Role,
          Handler: "index.handler",
          Code: { ZipFile: zip({ "index.mjs": code }) },
        }),
      );
      return name;
    };
    const silent = await make(`canary-silent-${stamp}`, "export const handler = async () => ({ ok: true });");
    const talkative = await make(
      `canary-logs-${stamp}`,
      'export const handler = async () => { console.log("done"); return { ok: true }; };',
    );
    const warmMedian = async (name: string) => {
      const times: number[] = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        await lambda.send(new InvokeCommand({ FunctionName: name }));
        if (i > 0) times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
    };
    const penalty = (await warmMedian(silent)) - (await warmMedian(talkative));
    expect(penalty, "silent handlers are no longer slower: update docs/local-fidelity.md").toBeGreaterThan(25);
  });
});
