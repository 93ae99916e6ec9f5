import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeedSourceError, HttpFeedFetcher } from "#detection/adapters/http-feed-fetcher";
import { FeedUrlRefusedError, isInternalAddress, requireConfigured } from "#detection/domain/feed-url-policy";

/** A feed host on this machine: its routes answer a feed, redirects, an oversize body, an error page. */
let server: Server;
let origin = "";
const feed = (items: number) => ({
  version: "https://jsonfeed.org/version/1.1",
  title: "t",
  items: Array.from({ length: items }, (_, i) => ({
    id: `i-${i}`,
    url: `https://news.example/${i}`,
    title: "x",
    content_text: "y",
    date_published: "2026-12-01T00:00:00Z",
  })),
});
beforeAll(async () => {
  server = createServer((request, response) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(body);
    };
    if (request.url === "/feed.json") return send(200, JSON.stringify(feed(5)));
    if (request.url === "/many.json") return send(200, JSON.stringify(feed(50)));
    if (request.url === "/same-host") return send(302, "", { location: "/feed.json" });
    if (request.url === "/elsewhere") return send(302, "", { location: "http://metadata.internal.example/latest" });
    if (request.url === "/huge") return send(200, JSON.stringify({ ...feed(1), pad: "x".repeat(20_000) }));
    if (request.url === "/secret-error") return send(500, "database password is hunter2");
    if (request.url === "/secret-body") return send(200, JSON.stringify({ version: "hunter2", items: "nope" }));
    return send(404, "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The local stage's policy: its fixture host allowed by name. */
const localFetcher = (overrides: { maxBytes?: number; maxItems?: number } = {}) =>
  new HttpFeedFetcher({
    policy: { configured: [], privateHostsAllowed: [new URL(origin).host] },
    ...overrides,
  });
/** Any other stage: nothing internal allowed. */
const strictFetcher = () => new HttpFeedFetcher({ policy: { configured: [], privateHostsAllowed: [] } });

describe("feed fetches and SSRF", () => {
  it("refuses loopback, private, link-local and mapped addresses after resolution; public ones pass", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "100.64.0.1",
    ]) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    // Control: internet addresses are not internal.
    for (const address of ["93.184.216.34", "2606:4700::1111", "172.32.0.1"])
      expect(isInternalAddress(address), address).toBe(false);
  });

  it("refuses the emulator's address on any stage but local, after DNS (a name that resolves to 127.0.0.1 included)", async () => {
    await expect(strictFetcher().fetch("http://127.0.0.1:4566/", undefined)).rejects.toBeInstanceOf(FeedUrlRefusedError);
    const rebinding = new HttpFeedFetcher({
      policy: { configured: [], privateHostsAllowed: [] },
      resolve: async () => ["93.184.216.34", "127.0.0.1"],
    });
    await expect(rebinding.fetch("http://feeds.example/feed.json", undefined)).rejects.toThrow(
      /internal address \(127\.0\.0\.1\)/,
    );
    // Control: the same fixture host, allowed by name as on the local stage, is fetched.
    expect((await localFetcher().fetch(`${origin}/feed.json`, undefined)).status).toBe("ok");
  });

  it("follows a redirect on the same host and refuses one to another host", async () => {
    expect((await localFetcher().fetch(`${origin}/same-host`, undefined)).status).toBe("ok");
    await expect(localFetcher().fetch(`${origin}/elsewhere`, undefined)).rejects.toThrow(/redirects to another host/);
  });

  it("caps the body read and the items kept", async () => {
    await expect(localFetcher({ maxBytes: 10_000 }).fetch(`${origin}/huge`, undefined)).rejects.toThrow(
      /over 10000 bytes|10000 are read/,
    );
    const capped = await localFetcher({ maxItems: 10 }).fetch(`${origin}/many.json`, undefined);
    expect(capped.status === "ok" && capped.feed.items.length).toBe(10);
  });

  it("never echoes what the host answered in its errors", async () => {
    for (const path of ["/secret-error", "/secret-body"]) {
      const error = await localFetcher()
        .fetch(`${origin}${path}`, undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeedSourceError);
      expect(String((error as Error).message)).not.toContain("hunter2");
    }
  });

  it("feed.fetch takes only the stage's configured feeds", () => {
    const policy = { configured: ["https://news.example/feed.json"], privateHostsAllowed: [] };
    expect(() => requireConfigured("https://news.example/feed.json", policy)).not.toThrow();
    expect(() => requireConfigured("http://127.0.0.1:4566/", policy)).toThrow(FeedUrlRefusedError);
    expect(() => requireConfigured("https://news.example/other.json", policy)).toThrow(/configured feeds/);
  });
});
