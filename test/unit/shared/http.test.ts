import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { NotFoundError } from "#shared/errors";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";

const context = { awsRequestId: "req-1", functionName: "fn", getRemainingTimeInMillis: () => 1000 } as unknown as Context;
const event = (body?: string, extra: Record<string, unknown> = {}) => ({
  headers: {},
  isBase64Encoded: false,
  body,
  requestContext: { requestId: "r" },
  ...extra,
});

const handler = httpHandler(
  HttpEvent.extend({ body: jsonBody(z.object({ name: z.string(), count: z.number().int() }).strict()) }),
  async (e) => {
    if (e.body.name === "missing") throw new NotFoundError("thing", "missing");
    if (e.body.name === "bug") throw new Error("secret internal detail");
    return json(200, e.body);
  },
  { maxBodyBytes: 100 },
);

const call = async (input: ReturnType<typeof event>) => {
  const response = await handler(input as never, context);
  return { status: response.statusCode, body: JSON.parse(response.body) };
};

describe("httpHandler", () => {
  it("passes a valid body to the handler, parsed", async () => {
    expect(await call(event(JSON.stringify({ name: "a", count: 1 })))).toEqual({ status: 200, body: { name: "a", count: 1 } });
  });

  it("answers 400 naming each bad field", async () => {
    const { status, body } = await call(event(JSON.stringify({ name: 5, count: 1.5, extra: true })));
    expect(status).toBe(400);
    expect(body.error.code).toBe("ValidationError");
    expect(body.error.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "name" }),
        expect.objectContaining({ field: "count" }),
        { field: "extra", message: "is not a known field" },
      ]),
    );
  });

  it("answers 400 on a body that is not JSON", async () => {
    const { status, body } = await call(event("{not json"));
    expect(status).toBe(400);
    expect(body.error.fields).toEqual([{ field: "body", message: "is not valid JSON" }]);
  });

  it("answers 413 before parsing a body over the limit", async () => {
    const { status, body } = await call(event(JSON.stringify({ name: "x".repeat(200), count: 1 })));
    expect(status).toBe(413);
    expect(body.error.fields[0].field).toBe("body");
  });

  it("decodes base64 bodies", async () => {
    const raw = Buffer.from(JSON.stringify({ name: "b", count: 2 })).toString("base64");
    expect(await call(event(raw, { isBase64Encoded: true }))).toEqual({ status: 200, body: { name: "b", count: 2 } });
  });

  it("maps domain errors to their status", async () => {
    expect((await call(event(JSON.stringify({ name: "missing", count: 1 })))).status).toBe(404);
  });

  it("answers 500 for a bug without leaking its message", async () => {
    const { status, body } = await call(event(JSON.stringify({ name: "bug", count: 1 })));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("secret");
    expect(body.error.requestId).toBe("req-1");
  });
});
