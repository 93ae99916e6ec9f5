import * as z from "zod";
import { describe, expect, it, vi } from "vitest";
import { ApiError, getJson } from "../../../web/src/api";
import type { DashboardConfig } from "../../../web/src/config";

const config: DashboardConfig = {
  httpApiUrl: "https://api.example/",
  webSocketUrl: "wss://ws.example/prod",
  userPoolId: "eu-west-1_Pool1",
  userPoolClientId: "client-1",
  cognitoEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
  region: "eu-west-1",
};
const Shape = z.object({ ok: z.boolean() });
const tooMany = (retryAfter: string) =>
  new Response(JSON.stringify({ error: { code: "RateLimited" } }), { status: 429, headers: { "retry-after": retryAfter } });

describe("the page's reads", () => {
  it("wait out a 429 for its Retry-After and ask again, so a busy budget does not blank a panel", async () => {
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(tooMany("2"))
      .mockResolvedValueOnce(tooMany("1"))
      .mockResolvedValueOnce(new Response(JSON.stringify({ ok: true }), { status: 200 }));
    const waits: number[] = [];
    const answer = await getJson(config, "token", "/api/tasks", Shape, { fetch, sleep: async (ms) => void waits.push(ms) });
    expect(answer).toEqual({ ok: true });
    expect(waits).toEqual([2_000, 1_000]);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("give up after three retries, or at once for a Retry-After too long to wait, answering the 429 (the control)", async () => {
    const always = vi.fn<typeof globalThis.fetch>(async () => tooMany("1"));
    await expect(
      getJson(config, "t", "/api/tasks", Shape, { fetch: always, sleep: async () => undefined }),
    ).rejects.toMatchObject({
      status: 429,
    });
    expect(always).toHaveBeenCalledTimes(4);
    const long = vi.fn<typeof globalThis.fetch>(async () => tooMany("60"));
    await expect(getJson(config, "t", "/api/tasks", Shape, { fetch: long, sleep: async () => undefined })).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(long).toHaveBeenCalledTimes(1);
  });
});
