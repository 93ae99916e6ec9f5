import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { type Browser, chromium, type Page, type WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebServer, startWebServer } from "../../../scripts/local/web-server";
import { LOCAL_DIR } from "../../../scripts/local/paths";
import { LOCAL_USERS } from "../../../scripts/local/users";
import { api, outputs, submit, taskUntil, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";

const SCREENSHOT = path.join(LOCAL_DIR, "screenshots", "dashboard.png");

/** One WebSocket the page opened, routed through the test so it can watch the frames and cut the line. */
interface RoutedSocket {
  readonly page: WebSocketRoute;
  readonly server: WebSocketRoute;
  /** Frames the page sent. */
  readonly sent: string[];
  /** Frames the server sent. */
  readonly received: string[];
}

let server: WebServer;
let browser: Browser;
let page: Page;
const sockets: RoutedSocket[] = [];
/** While set, the page's WebSocket handshakes are refused, as when the network is down. */
let offline = false;

const indicator = (state: string) => page.locator(`#connection[data-state="${state}"]`);
const taskRow = (taskId: string) => page.locator(`#panel-tasks tr[data-task-id="${taskId}"]`);

async function signIn(username: string, password: string): Promise<void> {
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#sign-in-submit").click();
}

beforeAll(async () => {
  // Its own build folder, so a dashboard `npm start` serves on this machine is never rebuilt under it.
  server = await startWebServer({ outputs: outputs(), outdir: path.join(LOCAL_DIR, "e2e", "web") });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"], timeout: 30_000 });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(15_000);
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`[page] ${message.text()}`);
  });
  await page.routeWebSocket(/\/_aws\/execute-api\//, (socket) => {
    if (offline) {
      socket.close({ code: 1006, reason: "offline (test)" });
      return;
    }
    const routed: RoutedSocket = { page: socket, server: socket.connectToServer(), sent: [], received: [] };
    socket.onMessage((message) => {
      routed.sent.push(String(message));
      routed.server.send(message);
    });
    routed.server.onMessage((message) => {
      routed.received.push(String(message));
      routed.page.send(message);
    });
    sockets.push(routed);
  });
  await page.goto(server.url, { timeout: 15_000 });
}, 60_000);

afterAll(async () => {
  if (page) {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: 10_000 }).catch(() => undefined);
  }
  await browser?.close();
  await server?.close();
});

describe("the dashboard page, in a browser", () => {
  it("says so when the password is wrong, and stays signed out", async () => {
    // WHEN the viewer signs in with a wrong password
    await signIn(LOCAL_USERS.viewer.username, "not-the-password-1!");
    // THEN the form shows Cognito's refusal in words, and nothing connects
    await expect
      .poll(() => page.locator("#sign-in-error").textContent(), { timeout: 10_000 })
      .toBe("Incorrect username or password.");
    expect(await page.locator("#sign-in-error").isVisible()).toBe(true);
    expect(await page.locator("#dashboard").isVisible()).toBe(false);
    expect(sockets).toHaveLength(0);
  });

  it("signs the viewer in through the form and goes live", async () => {
    // WHEN the viewer signs in with the seeded password
    await signIn(LOCAL_USERS.viewer.username, LOCAL_USERS.viewer.password);
    // THEN the panels show, the WebSocket subscribes to everything, and the indicator says live
    await indicator("live").waitFor({ timeout: 20_000 });
    expect(await page.locator("#user").textContent()).toBe("viewer");
    expect(sockets[0]?.sent.map((text) => JSON.parse(text))).toContainEqual({ type: "subscribe", subscriptions: ["all"] });
    // The initial loads landed: every agent type has a row, every priority a queue row.
    await page.locator('#panel-agents tr[data-agent-type="data-quality"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator("#panel-queues tr[data-priority]").count(), { timeout: 10_000 }).toBe(4);
    expect(await page.locator("#notices").isVisible()).toBe(false);
  });

  it("charts the system metrics: four charts of the window's points, a summary, and a window picker", async () => {
    // WHEN a snapshot is taken (its point is kept, and its metrics frame tells the page to fetch the view again)
    await invokeFunction(outputs().MetricsSnapshotFunctionName);
    const panel = page.locator("#panel-metrics");
    // THEN the hour's view holds at least that point, drawn on four canvases, with its summary
    await expect.poll(async () => Number((await panel.getAttribute("data-points")) ?? 0), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await panel.getAttribute("data-window")).toBe("1h");
    expect(await panel.locator("figure.chart canvas").count()).toBe(4);
    expect(await panel.locator("figure.chart figcaption").allTextContents()).toEqual([
      "Throughput (tasks/min)",
      "Queue depth by priority (messages)",
      "Task latency (ms)",
      "Agents by status (agents)",
    ]);
    expect(await panel.locator(".system-summary dt").count()).toBe(7);
    // …and the picker fetches another window
    await panel.locator('button[data-window="5m"]').click();
    await expect.poll(() => panel.getAttribute("data-window"), { timeout: 10_000 }).toBe("5m");
    // …which holds the snapshot too: kept in the history, or merged in from its frame if the history is a moment behind.
    expect(Number(await panel.getAttribute("data-points"))).toBeGreaterThan(0);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await panel.screenshot({ path: path.join(path.dirname(SCREENSHOT), "system-metrics.png"), timeout: 10_000 });
  });

  it("shows a submitted task in recent tasks, through to its final status", async () => {
    // WHEN an operator's task is submitted through the HTTP API
    const task = await submit({
      type: "diagnostics.echo",
      agentType: "data-quality",
      priority: "high",
      payload: { from: "page" },
    });
    // THEN its row appears and ends completed, without a reload
    await taskRow(task.taskId).and(page.locator('[data-status="completed"]')).waitFor({ timeout: 30_000 });
    expect(await taskRow(task.taskId).locator('[data-field="status"]').textContent()).toBe("completed");
  });

  it("shows a running job's progress bar, live, then its result with the held-out figures", async () => {
    // WHEN an operator starts a paced scorer-training job
    const submitted = await api<{ jobId: string }>("POST", "/api/jobs", {
      token: await tokenFor("operator"),
      body: { type: "scorer-training", parameters: { datasets: ["fixture:tge-news"], candidates: 20, paceMillis: 400 } },
    });
    expect(submitted.status).toBe(202);
    const row = page.locator(`#panel-jobs li[data-job-id="${submitted.body.jobId}"]`);
    // THEN a progress bar shows it running, moving, and the row ends succeeded with its figures
    await row.and(page.locator('[data-status="running"]')).locator("progress").waitFor({ timeout: 60_000 });
    await expect
      .poll(
        async () =>
          Number(
            await row
              .locator("progress")
              .getAttribute("value")
              .catch(() => "100"),
          ),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(5);
    await row.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 60_000 });
    expect(await row.locator(".figures").textContent()).toMatch(/^held-out F1 \d\.\d{3} \(was \d\.\d{3}\)$/);
  }, 150_000);

  it("shows a lock while it is held and drops it when released, live", async () => {
    // WHEN an operator locks a resource through the HTTP API
    const resource = `settings/page-${Date.now().toString(36)}`;
    const operator = await tokenFor("operator");
    const lease = await api<{ leaseId: string; token: number }>("POST", "/api/coordination/locks", {
      token: operator,
      body: { resource, mode: "exclusive", ttlSeconds: 60 },
    });
    expect(lease.status).toBe(201);
    // THEN the coordination panel lists it with its holder and token…
    const row = page.locator(`#panel-coordination tr[data-resource="${resource}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain("user:operator");
    expect(await row.textContent()).toContain(String(lease.body.token));
    // …and removes it once released
    await api("DELETE", `/api/coordination/locks/${lease.body.leaseId}`, { token: operator });
    await row.waitFor({ state: "detached", timeout: 30_000 });
  });

  it("catches up after its WebSocket drops: a task finished while it was away appears after reconnect and replay", async () => {
    // GIVEN the page is live and has seen events
    const first = sockets.at(-1) as RoutedSocket;
    // WHEN the connection drops and the network stays down…
    offline = true;
    first.server.close({ code: 1001, reason: "dropped by the test" });
    first.page.close({ code: 1006, reason: "dropped by the test" });
    await indicator("reconnecting").waitFor({ timeout: 10_000 });
    // …while a task runs from start to finish
    const missed = await submit({
      type: "diagnostics.echo",
      agentType: "data-quality",
      priority: "high",
      payload: { from: "gap" },
    });
    await taskUntil(missed.taskId, (t) => t.status === "completed", 30_000, "the task submitted while the page was away");
    expect(await taskRow(missed.taskId).count()).toBe(0);
    const connectionsBefore = sockets.length;

    // …and then the network comes back
    offline = false;
    await indicator("live").waitFor({ timeout: 30_000 });

    // THEN the page re-subscribed on a new connection and asked for what it missed, from the last seq it saw…
    const second = sockets.at(-1) as RoutedSocket;
    expect(sockets.length).toBe(connectionsBefore + 1);
    await expect
      .poll(() => second.sent.map((text) => JSON.parse(text) as { type: string }).map((m) => m.type), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(["subscribe", "replay"]));
    const replayRequest = second.sent.map((text) => JSON.parse(text)).find((m) => m.type === "replay");
    // From the last seq it saw, or — if no event reached it before the drop — from when it went live.
    expect(replayRequest.type).toBe("replay");
    expect(typeof replayRequest.sinceSeq === "number" || typeof replayRequest.sinceTime === "string").toBe(true);
    // …the server's replay carried the missed task's updates…
    await expect
      .poll(
        () =>
          second.received
            .map(
              (text) =>
                JSON.parse(text) as {
                  type: string;
                  data: { events?: { type: string; data: { taskId?: string; status?: string } }[] };
                },
            )
            .filter((frame) => frame.type === "replay")
            .flatMap((frame) => frame.data.events ?? [])
            .filter((e) => e.type === "task_update" && e.data.taskId === missed.taskId)
            .map((e) => e.data.status),
        { timeout: 15_000, message: "replay frames carrying the missed task" },
      )
      .toContain("completed");
    // …and the page shows the task as completed, from the stream (its row carries the event's seq).
    const row = taskRow(missed.taskId).and(page.locator('[data-status="completed"]'));
    await row.waitFor({ timeout: 15_000 });
    expect(Number(await row.getAttribute("data-seq"))).toBeGreaterThan(replayRequest.sinceSeq);
  });

  it("lists a recommendation waiting for approval: read-only for the viewer, decided by an operator with a click", async () => {
    // GIVEN medium-risk recommendations, which need a person's decision (the e2e stage's window is 15 s)
    const operator = await tokenFor("operator");
    const recommend = async (title: string) => {
      const document = await api<{ version: string }>("GET", "/api/settings/review-thresholds", { token: operator });
      const recommended = await api<{ recommendationId: string }>("POST", "/api/optimizations", {
        token: operator,
        body: {
          type: "performance",
          severity: "medium",
          title,
          document: "review-thresholds",
          baseVersion: document.body.version,
          patch: [{ op: "replace", path: "/failureRate", value: 0.2 }],
          confidence: 0.8,
        },
      });
      expect(recommended.status).toBe(202);
      const id = recommended.body.recommendationId;
      return { id, row: page.locator(`#panel-approvals li[data-recommendation-id="${id}"]`) };
    };

    // THEN the viewer sees one, with no buttons
    const seen = (await recommend("page: seen by the viewer")).row;
    await seen.waitFor({ timeout: 15_000 });
    expect(await seen.textContent()).toContain("page: seen by the viewer");
    expect(await seen.locator("button").count()).toBe(0);

    // WHEN an operator signs in and rejects the next one
    await page.locator("#sign-out").click();
    await signIn(LOCAL_USERS.operator.username, LOCAL_USERS.operator.password);
    await indicator("live").waitFor({ timeout: 20_000 });
    const decided = await recommend("page: rejected by the operator");
    await decided.row.locator('button[data-decision="reject"]').click({ timeout: 15_000 });

    // THEN it leaves the list, and the runs panel shows it rejected by the operator
    await decided.row.waitFor({ state: "detached", timeout: 30_000 });
    const run = page.locator(`#panel-optimizations li[data-recommendation-id="${decided.id}"]`);
    await expect.poll(() => run.textContent(), { timeout: 45_000 }).toContain("rejected");
    expect(await run.textContent()).toContain("decided by operator");
  });
});

describe("the API reference at /docs, in a browser", () => {
  it("shows every operation of the document the API serves, without signing in", async () => {
    const docs = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      const errors: string[] = [];
      docs.on("pageerror", (error) => errors.push(error.message));
      await docs.goto(`${server.url}docs`, { timeout: 15_000 });
      await docs.locator(".opblock-summary-path").first().waitFor({ timeout: 20_000 });
      const paths = await docs.locator(".opblock-summary-path").allTextContents();
      expect(paths.map((p) => p.replace(/\u200b/g, ""))).toEqual(
        expect.arrayContaining(["/api/v1/tasks", "/api/v1/tasks/{taskId}"]),
      );
      expect(errors).toEqual([]);
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await docs.screenshot({ path: path.join(path.dirname(SCREENSHOT), "api-reference.png"), timeout: 10_000 });
    } finally {
      await docs.close();
    }
  });
});
