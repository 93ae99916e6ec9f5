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

  it("names every bad field in one answer, the missing agent type beside a bad priority", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", { body: { type: "scan", priority: "urgent" } });
    expect(status).toBe(400);
    expect(fieldsOf(body)).toEqual(["agentType", "priority"]);
  });

  it("refuses a task type the agent type does not run, listing the ones it runs, and queues nothing", async () => {
    const { status, body } = await api<ErrorBody>("POST", "/api/tasks", { body: { type: "scan", agentType: "data-quality" } });
    expect(status).toBe(400);
    expect(body.error.fields).toEqual([
      {
        field: "type",
        message: 'data-quality does not run "scan"; it runs tge.validate, diagnostics.echo, diagnostics.sleep, diagnostics.fail',
      },
    ]);
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

describe("list cursors", () => {
  it("answer 400 naming `cursor` for a forged one, however well-formed, on every paginated list", async () => {
    const forge = (key: Record<string, unknown>, index: string) =>
      Buffer.from(JSON.stringify({ index, key })).toString("base64url");
    for (const [path, cursor] of [
      ["/api/tasks", forge({ taskId: 1, listKey: "TASK", createdAt: "x" }, "recent")],
      ["/api/tasks?status=queued", forge({ taskId: "t", status: "running", createdAt: "x" }, "by-status")],
      ["/api/tasks/dead-letters", forge({ taskId: "t", status: "dead_lettered", createdAt: "x", extra: "y" }, "by-status")],
      ["/api/detections", forge({ eventKey: "e", kind: 7, detectedAt: "x" }, "by-time")],
      ["/api/websocket/connections", forge({ pk: "CONN#x", sk: "ROOM#y" }, "by-sk")],
      ["/api/tasks", "%%%not-base64%%%"],
    ] as const) {
      const separator = path.includes("?") ? "&" : "?";
      const { status, body } = await api<ErrorBody>("GET", `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
      expect(status, path).toBe(400);
      expect(fieldsOf(body), path).toEqual(["cursor"]);
    }
  });
});
