import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { summarize } from "./stats";

/**
 * What a 304 saves against a 200 (ADR 0010): the same GET, once with no validator and once with
 * the ETag of the previous answer, alternating, on a large answer (a page of 200 task
 * summaries) and a small one (a finished task). Both measured in the same run, so the ratio
 * holds even when the machine's speed drifts.
 */
export async function conditionalRequestsBenchmark(outputs: LocalOutputs, options: { rounds: number }) {
  const token = await localToken(outputs, "admin");
  const call = async (path: string, etag?: string) => {
    const started = performance.now();
    const response = await fetch(`${outputs.HttpApiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...(etag ? { "if-none-match": etag } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
    const body = await response.arrayBuffer();
    return {
      status: response.status,
      ms: performance.now() - started,
      bytes: body.byteLength,
      etag: response.headers.get("etag"),
    };
  };

  // A finished task, and enough tasks for a full page.
  const submit = async (i: number) => {
    const response = await fetch(`${outputs.HttpApiUrl}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "diagnostics.echo", agentType: "data-quality", payload: { i, pad: "x".repeat(2_000) } }),
      signal: AbortSignal.timeout(15_000),
    });
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push(await submit(i));
  for (let waited = 0; waited < 60; waited++) {
    const { status } = (await (
      await fetch(`${outputs.HttpApiUrl}/api/tasks/${ids[0]}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      status: string;
    };
    if (status === "completed") break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const measure = async (path: string) => {
    const full: number[] = [];
    const notModified: number[] = [];
    let fullBytes = 0;
    let etag = (await call(path)).etag ?? undefined;
    for (let round = 0; round < options.rounds; round++) {
      const a = await call(path);
      const b = await call(path, a.etag ?? etag);
      if (a.status !== 200 || b.status !== 304) continue; // the answer changed in between: not a pair
      full.push(a.ms);
      notModified.push(b.ms);
      fullBytes = a.bytes;
      etag = a.etag ?? etag;
    }
    const ok = summarize(full);
    const cached = summarize(notModified);
    return {
      path,
      pairs: full.length,
      status200: { ...ok, bytes: fullBytes },
      status304: { ...cached, bytes: 0 },
      p50Ratio304To200: ok.p50 > 0 ? Number((cached.p50 / ok.p50).toFixed(2)) : null,
    };
  };
  return {
    rounds: options.rounds,
    page: await measure("/api/tasks?agentType=data-quality&limit=200"),
    task: await measure(`/api/tasks/${ids[0]}`),
  };
}
