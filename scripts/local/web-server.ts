import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as path from "node:path";
import { buildDashboard, DASHBOARD_DIST } from "../../web/build";
import type { DashboardConfig } from "../../web/src/config";
import { LocalOutputs } from "./outputs";
import { OUTPUTS_FILE } from "./paths";
import { listenLocally } from "./listen";

export interface WebServerOptions {
  /** Preferred port; another is taken when it is busy. @default any free port */
  readonly port?: number;
  readonly outputs: LocalOutputs;
  /** Where the page is built to and served from. @default web/dist */
  readonly outdir?: string;
}

export interface WebServer {
  /** e.g. `http://127.0.0.1:4600/` */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

/** Request headers passed on to the HTTP API, and response headers passed back. */
const PROXIED_REQUEST_HEADERS = ["authorization", "content-type", "idempotency-key"];
const PROXIED_RESPONSE_HEADERS = ["content-type", "retry-after", "location"];

/**
 * The page's `/config.json` for the local stage. Cognito is the emulator itself, which takes
 * InitiateAuth at its root like `cognito-idp.<region>.amazonaws.com` does. The HTTP API is
 * reached through this server (`apiOrigin`), not the emulator: the emulator's CloudFormation
 * stores an HTTP API's CorsConfiguration in CloudFormation's casing, which its preflight
 * handler does not read, so it refuses every cross-origin preflight that AWS would answer.
 */
export function localDashboardConfig(outputs: LocalOutputs, apiOrigin: string = outputs.HttpApiUrl): DashboardConfig {
  return {
    httpApiUrl: apiOrigin,
    webSocketUrl: outputs.WebSocketUrl,
    userPoolId: outputs.UserPoolId,
    userPoolClientId: outputs.UserPoolClientId,
    cognitoEndpoint: `${outputs.endpoint.replace(/\/$/, "")}/`,
    region: outputs.region,
  };
}

/**
 * Serves the dashboard page on this machine, in place of the web stack's CloudFront: builds it
 * with esbuild, serves the built folder, and answers `/config.json` from the local outputs.
 *
 * @example
 * const dashboard = await startWebServer({ outputs: readLocalOutputs() });
 * console.log(dashboard.url); // → http://127.0.0.1:4600/
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = path.resolve(options.outdir ?? DASHBOARD_DIST);
  await buildDashboard({ outdir: root });
  let config = "";

  const send = (res: ServerResponse, status: number, body: string | Buffer, type: string) => {
    res.writeHead(status, {
      "content-type": type,
      // Rebuilt on every start: never let the browser keep an old bundle.
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    });
    res.end(body);
  };

  const proxy = async (req: IncomingMessage, res: ServerResponse, target: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of PROXIED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    let response: Response;
    try {
      response = await fetch(target, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      return send(res, 502, JSON.stringify({ error: `the HTTP API did not answer: ${String(error)}` }), "application/json");
    }
    const passed: Record<string, string> = { "cache-control": "no-store" };
    for (const name of PROXIED_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) passed[name] = value;
    }
    res.writeHead(response.status, passed);
    res.end(Buffer.from(await response.arrayBuffer()));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD" && !req.url?.startsWith("/api/")) {
      return send(res, 405, "method not allowed\n", "text/plain");
    }
    const { pathname, search } = new URL(req.url ?? "/", "http://dashboard.local");
    if (pathname.startsWith("/api/")) return proxy(req, res, `${options.outputs.HttpApiUrl}${pathname}${search}`);
    if (pathname === "/config.json") return send(res, 200, config, CONTENT_TYPES[".json"] ?? "application/json");
    // Folders answer with their index page: `/` the dashboard, `/docs` the API reference.
    const page =
      pathname === "/" || pathname === "/docs" || pathname.endsWith("/")
        ? `${pathname.replace(/\/?$/, "/")}index.html`
        : pathname;
    const file = path.resolve(root, `.${decodeURIComponent(page)}`);
    // Nothing outside the built folder, whatever `..` or encoded slashes the path holds.
    if (!file.startsWith(`${root}${path.sep}`)) return send(res, 404, "not found\n", "text/plain");
    try {
      const body = await readFile(file);
      return send(res, 200, body, CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream");
    } catch {
      return send(res, 404, "not found\n", "text/plain");
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, `${String(error)}\n`, "text/plain"));
  });
  const port = await listenLocally(server, options.port);
  config = `${JSON.stringify(localDashboardConfig(options.outputs, `http://127.0.0.1:${port}`), null, 2)}\n`;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Adds the page's URL to the outputs file, beside the API's, for scripts and people who look there. */
export function recordDashboardUrl(url: string, file: string = OUTPUTS_FILE): void {
  const outputs = LocalOutputs.parse(JSON.parse(readFileSync(file, "utf8")));
  writeFileSync(file, `${JSON.stringify({ ...outputs, DashboardUrl: url }, null, 2)}\n`);
}
