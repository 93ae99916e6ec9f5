import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { RequestValidationError } from "#shared/errors";

const SHAPE = { index: "by-status", keys: { taskId: "S", status: "S", createdAt: "S" }, fixed: { status: "queued" } } as const;
const key = { taskId: "t-1", status: "queued", createdAt: "2026-12-01T10:00:00.000Z" };
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("page cursors", () => {
  it("give back the key they were made from", () => {
    expect(decodeCursor(encodeCursor("by-status", key), SHAPE)).toEqual(key);
  });

  it.each([
    ["not base64 JSON", "!!!"],
    ["JSON but not a cursor", forged({ hello: 1 })],
    ["another list's index", encodeCursor("by-agent-type", key)],
    ["another partition of the same index", encodeCursor("by-status", { ...key, status: "running" })],
    ["a key attribute missing", encodeCursor("by-status", { taskId: "t-1", status: "queued" })],
    ["an attribute the key schema lacks", encodeCursor("by-status", { ...key, extra: "x" })],
    ["a number where the key is a string", encodeCursor("by-status", { ...key, createdAt: 5 })],
    ["an empty string key", encodeCursor("by-status", { ...key, taskId: "" })],
    ["a nested value", forged({ index: "by-status", key: { ...key, taskId: { S: "t-1" } } })],
  ])("refuse %s with a 400 naming `cursor`", (_why, raw) => {
    const refusal = (() => {
      try {
        decodeCursor(raw, SHAPE);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(RequestValidationError);
    expect(refusal).toMatchObject({ status: 400, fields: [{ field: "cursor" }] });
  });
});
