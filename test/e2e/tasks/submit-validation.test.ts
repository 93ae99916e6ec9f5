import { describe, expect, it } from "vitest";
import { api } from "../support/api";

interface ErrorBody {
  error: { code: string; fields?: { field: string; message: string }[] };
}
const fieldsOf = (body: ErrorBody) => (body.error.fields ?? []).map((f) => f.field).sort();

describe("POST /api/tasks refuses bad input", () => {
  it("answers 400 naming each bad field", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", {
      body: {
        type: "Not A Type",
        agentType: "astrologer",
        priority: "urgent",
        timeoutSeconds: -1,
        maxRetries: 99,
        surprise: true,
      },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe("ValidationError");
    expect(fieldsOf(body)).toEqual(["agentType", "maxRetries", "priority", "surprise", "timeoutSeconds", "type"]);
  });

  it("answers 400 when a required field is missing", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", { body: { agentType: "data-quality" } });
    expect(status).toBe(400);
    expect(fieldsOf(body)).toEqual(["type"]);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", { rawBody: "{ nope" });
    expect(status).toBe(400);
    expect(fieldsOf(body)).toEqual(["body"]);
  });

  it("answers 413 naming the payload when it is over 200 KB", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", {
      body: { type: "diagnostics.echo", agentType: "data-quality", payload: { blob: "x".repeat(205_000) } },
    });
    expect(status).toBe(413);
    expect(body.error).toMatchObject({ code: "PayloadTooLarge", fields: [{ field: "payload" }] });
  });
});
