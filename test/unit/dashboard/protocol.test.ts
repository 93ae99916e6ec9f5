import { describe, expect, it } from "vitest";
import { parseClientMessage } from "#core/dashboard/domain/protocol";

describe("parseClientMessage", () => {
  it("accepts the seed's subscribe example", () => {
    expect(parseClientMessage(JSON.stringify({ type: "subscribe", subscriptions: ["agents_only", "metrics_only"] }))).toEqual({
      ok: true,
      message: { type: "subscribe", subscriptions: ["agents_only", "metrics_only"] },
    });
  });

  it("explains a frame that is not JSON", () => {
    expect(parseClientMessage("hello")).toMatchObject({ ok: false, error: { code: "invalid_json" } });
  });

  it("names the unknown type and the ones it knows", () => {
    const result = parseClientMessage(JSON.stringify({ type: "subscrib" }));
    expect(result).toMatchObject({ ok: false, error: { code: "unknown_type" } });
    expect(!result.ok && result.error.message).toMatch(/"subscrib".*subscribe, unsubscribe, ping/);
  });

  it("names the bad field of a known type", () => {
    const result = parseClientMessage(JSON.stringify({ type: "subscribe", subscriptions: ["tasks", "gossip"] }));
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_field", fields: [{ field: "subscriptions.1" }] } });
  });
});
