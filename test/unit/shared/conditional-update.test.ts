import { describe, expect, it } from "vitest";
import { updateExpressionsOf } from "#shared/adapters/conditional-update";

describe("updateExpressionsOf", () => {
  it("turns conditions, sets, removes and adds into one UpdateItem, every name and value by placeholder", () => {
    const update = updateExpressionsOf({
      conditions: [
        { attribute: "taskId", exists: true },
        { attribute: "status", oneOf: ["queued", "running"] },
        { attribute: "attempt", equals: 2 },
        { attribute: "expiresAt", absentOrAfter: "2026-12-01T10:00:00.000Z" },
        { attribute: "version", exists: false },
      ],
      set: { status: "cancelled", updatedAt: "2026-12-01T10:00:00.000Z" },
      remove: ["leaseExpiresAt"],
      add: { version: 1 },
    });

    expect(update).toEqual({
      UpdateExpression: "SET #status = :set_status, #updatedAt = :set_updatedAt REMOVE #leaseExpiresAt ADD #version :add_version",
      ConditionExpression:
        "attribute_exists(#taskId) AND #status IN (:in_status0, :in_status1) AND #attempt = :expect_attempt AND (attribute_not_exists(#expiresAt) OR #expiresAt > :after_expiresAt) AND attribute_not_exists(#version)",
      ExpressionAttributeNames: {
        "#taskId": "taskId",
        "#status": "status",
        "#attempt": "attempt",
        "#expiresAt": "expiresAt",
        "#version": "version",
        "#updatedAt": "updatedAt",
        "#leaseExpiresAt": "leaseExpiresAt",
      },
      ExpressionAttributeValues: {
        ":in_status0": "queued",
        ":in_status1": "running",
        ":expect_attempt": 2,
        ":after_expiresAt": "2026-12-01T10:00:00.000Z",
        ":set_status": "cancelled",
        ":set_updatedAt": "2026-12-01T10:00:00.000Z",
        ":add_version": 1,
      },
    });
  });

  it("sends no empty value map (DynamoDB refuses one)", () => {
    const update = updateExpressionsOf({ conditions: [{ attribute: "pk", exists: true }], remove: ["lease"] });

    expect(update).toEqual({
      UpdateExpression: "REMOVE #lease",
      ConditionExpression: "attribute_exists(#pk)",
      ExpressionAttributeNames: { "#pk": "pk", "#lease": "lease" },
    });
  });

  it("refuses an unconditional update, an update that changes nothing, and a name that is no identifier", () => {
    expect(() => updateExpressionsOf({ conditions: [], set: { a: 1 } })).toThrow(/at least one condition/);
    expect(() => updateExpressionsOf({ conditions: [{ attribute: "a", exists: true }] })).toThrow(/must change something/);
    expect(() => updateExpressionsOf({ conditions: [{ attribute: "a.b", exists: true }], set: { c: 1 } })).toThrow(
      /"a\.b" is not a plain identifier/,
    );
  });
});
