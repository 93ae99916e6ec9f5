import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLOCK_SKEW_MARGIN_MS,
  type Lease,
  LeaseLostError,
  readFence,
  ResourceLocks,
  StaleTokenError,
} from "#coordination/published/locks";
import { WsClient } from "../../../scripts/local/ws-client";
import { api, eventually, outputs, tokenFor } from "../support/api";

const run = Date.now().toString(36);
const resource = (name: string) => `e2e/${run}/${name}`;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const locksFor = (client = db) => new ResourceLocks({ db: client, tableName: outputs().LocksTableName });
const PROTECTED_TABLE = `e2e-protected-${run}`;

/**
 * A document client whose calls can be cut, as a partition would: while `cut` is set, every
 * call fails after a short wait with a TimeoutError, before it reaches the emulator.
 */
function partitionableClient() {
  const raw = new DynamoDBClient({});
  const state = { cut: false };
  raw.middlewareStack.add(
    (next) => async (args) => {
      if (state.cut) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw Object.assign(new Error("the network dropped the call"), { name: "TimeoutError" });
      }
      return next(args);
    },
    { step: "finalizeRequest", name: "partition" },
  );
  return { client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }), state };
}

const holder = (name: string) => ({ holder: `agent:e2e-${name}`, requestKey: `${name}-${Math.random()}` });

beforeAll(async () => {
  // The data the locks protect: a table of our own, written with and without the fence.
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: PROTECTED_TABLE,
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
});

describe("locks through the API", () => {
  it("of 5 concurrent acquires through the API one wins; the others get 409 naming the holder and its token", async () => {
    const operator = await tokenFor("operator");
    const name = resource("api-race");
    // One call first, so the race is between requests, not between cold starts of the function.
    const warm = await api<Lease>("POST", "/api/coordination/locks", {
      token: operator,
      body: { resource: name, mode: "shared", ttlSeconds: 5 },
    });
    await api("DELETE", `/api/coordination/locks/${warm.body.leaseId}`, { token: operator });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        api<Lease & { error?: { code: string; message: string } }>("POST", "/api/coordination/locks", {
          token: operator,
          body: { resource: name, mode: "exclusive", ttlSeconds: 30 },
        }),
      ),
    );
    const won = answers.filter((a) => a.status === 201);
    expect(won).toHaveLength(1);
    const lease = won[0]?.body as Lease;
    expect(lease.holder).toBe("user:operator");
    expect(lease.token).toBe(warm.body.token + 1);
    for (const lost of answers.filter((a) => a.status !== 201)) {
      expect(lost.status).toBe(409);
      expect(lost.body.error?.code).toBe("LockHeld");
      expect(lost.body.error?.message).toContain(`token ${lease.token}`);
    }
    expect((await api("DELETE", `/api/coordination/locks/${lease.leaseId}`, { token: operator })).status).toBe(200);
  });

  it("of 20 contenders racing over 5 rounds, each round has one winner and the tokens are unique and rising", async () => {
    const name = resource("race-20");
    const contenders = Array.from({ length: 20 }, () => locksFor());
    const tokens: number[] = [];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        contenders.map((locks, i) => locks.tryAcquire({ resource: name, mode: "exclusive", ttlMs: 10_000, ...holder(`c${i}`) })),
      );
      const winners = results.flatMap((r) => (r.acquired ? [r.lease] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0] as Lease;
      tokens.push(winner.token);
      await contenders[0]?.release(winner);
    }
    expect(new Set(tokens).size).toBe(5);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
  });

  it("names every bad field; someone else's lease is 403, an unknown one 404; an admin's forced release is recorded with who and why", async () => {
    const operator = await tokenFor("operator");
    const bad = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/coordination/locks", {
      token: operator,
      body: { resource: "../etc passwd", mode: "sometimes", ttlSeconds: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f) => f.field).sort()).toEqual(["mode", "resource", "ttlSeconds"]);
    const tooLong = await api<{ error: { fields: { field: string }[] } }>("POST", "/api/coordination/locks", {
      token: operator,
      body: { resource: resource("long"), mode: "shared", ttlSeconds: 3_600 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields.map((f) => f.field)).toEqual(["ttlSeconds"]);

    const mine = await api<Lease>("POST", "/api/coordination/locks", {
      token: await tokenFor("admin"),
      body: { resource: resource("admins"), mode: "exclusive", ttlSeconds: 60 },
    });
    expect(mine.status).toBe(201);
    expect((await api("DELETE", `/api/coordination/locks/${mine.body.leaseId}`, { token: operator })).status).toBe(403);
    expect((await api("POST", `/api/coordination/locks/${mine.body.leaseId}/renew`, { token: operator })).status).toBe(403);
    expect((await api("DELETE", `/api/coordination/locks/bm90LWEtbGVhc2U.7`, { token: operator })).status).toBe(404);

    const operatorsLease = await api<Lease>("POST", "/api/coordination/locks", {
      token: operator,
      body: { resource: resource("stuck"), mode: "exclusive", ttlSeconds: 60 },
    });
    const forced = await api<{ released: Lease; forced: boolean }>(
      "DELETE",
      `/api/coordination/locks/${operatorsLease.body.leaseId}?force=true&reason=${encodeURIComponent("stuck since the deploy")}`,
    );
    expect(forced.status).toBe(200);
    expect(forced.body.forced).toBe(true);
    const stolen = await eventually(
      () =>
        api<{ events: { kind: string; resource?: string; by?: string; reason?: string }[] }>(
          "GET",
          "/api/coordination/events?kind=stolen",
        ),
      (r) => r.body.events.some((e) => e.resource === resource("stuck")),
      20_000,
      "the stolen event",
    );
    expect(stolen.body.events.find((e) => e.resource === resource("stuck"))).toMatchObject({
      by: "user:admin",
      reason: "stuck since the deploy",
    });
    // The operator's late renewal learns how its lease ended.
    const late = await api<{ error: { message: string } }>(
      "POST",
      `/api/coordination/locks/${operatorsLease.body.leaseId}/renew`,
      { token: operator },
    );
    expect(late.status).toBe(404);
    expect(late.body.error.message).toContain("stolen");
  });

  it("lists a held lock and counts it in the status; acquired and released reach coordination subscribers", async () => {
    const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    try {
      client.send({ type: "subscribe", subscriptions: ["coordination"] });
      await client.waitFor((f) => f.type === "subscribed");
      const name = resource("listed");
      const lease = await api<Lease>("POST", "/api/coordination/locks", {
        body: { resource: name, mode: "shared", ttlSeconds: 60 },
      });
      const listed = await api<{ locks: { resource: string; shared: Lease[] }[] }>("GET", "/api/coordination/locks");
      expect(listed.body.locks.find((l) => l.resource === name)?.shared.map((l) => l.token)).toEqual([lease.body.token]);
      const status = await api<{ locks: { held: number; shared: number }; sync: { intervalSeconds: number } }>(
        "GET",
        "/api/coordination/status",
        { token: await tokenFor("viewer") },
      );
      expect(status.status).toBe(200);
      expect(status.body.locks.shared).toBeGreaterThanOrEqual(1);
      expect(status.body.sync.intervalSeconds).toBe(10);
      await api("DELETE", `/api/coordination/locks/${lease.body.leaseId}`);
      const isEvent = (kind: string) => (f: { type: string; data: Record<string, unknown> }) =>
        f.type === "coordination_event" && f.data.kind === kind && f.data.resource === name;
      const acquired = await client.waitFor(isEvent("acquired"), 20_000, "acquired");
      const released = await client.waitFor(isEvent("released"), 20_000, "released");
      expect(acquired.data.lease).toMatchObject({ token: lease.body.token, holder: "user:admin", mode: "shared" });
      expect(released.data.lease).toMatchObject({ token: lease.body.token });
    } finally {
      client.socket.close();
    }
  });
});

describe("fencing", () => {
  it("a holder paused past its lease is refused when it writes; its successor's write stands (0 stale writes); the control without the fence writes stale data", async () => {
    const name = resource("paused");
    const paused = locksFor();
    const successor = locksFor();
    let staleFenced = 0;
    let staleUnfenced = 0;
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      // GIVEN A holds the lock and pauses (no heartbeat)…
      const a = await paused.acquire({ resource: name, mode: "exclusive", ttlMs: 1_500, ...holder("a") }, { timeoutMs: 5_000 });
      // …so B takes over once A's lease and the skew margin have passed, and writes
      const b = await successor.acquire(
        { resource: name, mode: "exclusive", ttlMs: 10_000, ...holder("b") },
        { timeoutMs: 10_000 },
      );
      expect(b.token).toBeGreaterThan(a.token);
      const write = (id: string, value: string) => ({ Put: { TableName: PROTECTED_TABLE, Item: { id, value } } });
      await successor.transactWrite(b, [write("fenced", `b-${round}`)]);
      await db.send(new PutCommand({ TableName: PROTECTED_TABLE, Item: { id: "unfenced", value: `b-${round}` } }));
      // WHEN A wakes and writes what it computed before its pause
      try {
        await paused.transactWrite(a, [write("fenced", `a-${round}`)]);
        staleFenced++;
      } catch (error) {
        expect(error).toBeInstanceOf(StaleTokenError);
        expect(String(error)).toContain(`token ${b.token}`);
      }
      // Control: the same late write without the fence.
      await db.send(new PutCommand({ TableName: PROTECTED_TABLE, Item: { id: "unfenced", value: `a-${round}` } }));
      const read = async (id: string) =>
        (await db.send(new GetCommand({ TableName: PROTECTED_TABLE, Key: { id }, ConsistentRead: true }))).Item?.value;
      if ((await read("unfenced")) === `a-${round}`) staleUnfenced++;
      // THEN the successor's write stands
      expect(await read("fenced")).toBe(`b-${round}`);
      await successor.release(b);
    }
    expect(staleFenced).toBe(0);
    expect(staleUnfenced).toBe(rounds);
  });

  it("fences S3 writes: the token is recorded beside the version, and a stale holder cannot overwrite its successor's version", async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    const bucket = `e2e-fenced-${run}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const name = resource("settings");
    const first = locksFor();
    const second = locksFor();
    const a = await first.acquire({ resource: name, mode: "exclusive", ttlMs: 1_500, ...holder("a") }, { timeoutMs: 5_000 });
    const v1 = await first.putObject(s3, a, { bucket, key: "keyword-config.json", body: '{"v":1}', basedOn: null });
    expect((await readFence(s3, bucket, "keyword-config.json"))?.token).toBe(a.token);
    const b = await second.acquire({ resource: name, mode: "exclusive", ttlMs: 10_000, ...holder("b") }, { timeoutMs: 10_000 });
    await second.putObject(s3, b, { bucket, key: "keyword-config.json", body: '{"v":2}', basedOn: v1.etag });
    await expect(first.putObject(s3, a, { bucket, key: "keyword-config.json", body: '{"v":"stale"}' })).rejects.toThrow(
      StaleTokenError,
    );
    const fence = await readFence(s3, bucket, "keyword-config.json");
    expect(fence?.token).toBe(b.token);
    await second.release(b);
  });
});

describe("lease life cycle", () => {
  it("a crashed holder's lock is retaken within its lease plus the skew margin, not a second lease", async () => {
    const name = resource("crashed");
    const ttlMs = 2_000;
    const crashed = await locksFor().acquire(
      { resource: name, mode: "exclusive", ttlMs, ...holder("crashed") },
      { timeoutMs: 5_000 },
    );
    const asked = Date.now();
    const next = await locksFor().acquire(
      { resource: name, mode: "exclusive", ttlMs, ...holder("next") },
      { timeoutMs: 3 * ttlMs + CLOCK_SKEW_MARGIN_MS },
    );
    const after = Date.parse(next.acquiredAt) - Date.parse(crashed.expiresAt);
    expect(after).toBeGreaterThanOrEqual(CLOCK_SKEW_MARGIN_MS);
    // Within the margin plus the backoff's last sleep (400 ms) and the emulator's pace — far from a whole second lease.
    expect(after).toBeLessThan(CLOCK_SKEW_MARGIN_MS + 1_500);
    expect(Date.now() - asked).toBeLessThan(2 * ttlMs + CLOCK_SKEW_MARGIN_MS);
    expect(next.token).toBe(crashed.token + 1);
  });

  it("a steady stream of readers lets one waiting writer in within its bound; the control that does not wait in line starves", async () => {
    const name = resource("readers");
    const readerTtl = 1_500;
    const readers = locksFor();
    let stop = false;
    let granted = 0;
    // Readers arrive every 250 ms and each holds 1 s: there is never a moment without one.
    const stream = (async () => {
      const held: Promise<unknown>[] = [];
      while (!stop) {
        held.push(
          readers.tryAcquire({ resource: name, mode: "shared", ttlMs: readerTtl, ...holder("reader") }).then(async (r) => {
            if (!r.acquired) return;
            granted++;
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            await readers.release(r.lease);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await Promise.all(held);
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Control: a writer that only tries, never waiting in line, finds readers every time.
      const impatient = locksFor();
      let impatientGot = false;
      for (const until = Date.now() + 3_000; Date.now() < until && !impatientGot;) {
        const r = await impatient.tryAcquire({ resource: name, mode: "exclusive", ttlMs: 1_000, ...holder("impatient") });
        impatientGot = r.acquired;
        if (r.acquired) await impatient.release(r.lease);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(impatientGot).toBe(false);
      // The writer waits in line: new readers are held back and the ones in hold drain.
      const started = Date.now();
      const writer = await locksFor().acquire(
        { resource: name, mode: "exclusive", ttlMs: 2_000, ...holder("writer") },
        { timeoutMs: 10_000 },
      );
      expect(Date.now() - started).toBeLessThan(readerTtl + CLOCK_SKEW_MARGIN_MS + 1_000);
      expect(granted).toBeGreaterThan(3);
      await locksFor().release(writer);
    } finally {
      stop = true;
      await stream;
    }
  });

  it("release racing heartbeat never revives a released lease", async () => {
    const name = resource("race");
    for (let round = 0; round < 10; round++) {
      const lease = await locksFor().acquire(
        { resource: name, mode: "exclusive", ttlMs: 10_000, ...holder("racer") },
        { timeoutMs: 5_000 },
      );
      const [renewed, released] = await Promise.allSettled([locksFor().renew(lease, 10_000), locksFor().release(lease)]);
      expect(released.status).toBe("fulfilled");
      if (renewed.status === "rejected") expect(renewed.reason).toBeInstanceOf(LeaseLostError);
      await expect(locksFor().renew(lease, 10_000)).rejects.toMatchObject({ name: "LeaseLostError", reason: "released" });
      expect((await locksFor().inspect(name)).exclusive).toBeUndefined();
    }
  });
});

describe("conflicts", () => {
  it("two optimizations claiming one document: the higher priority proceeds, the other yields, and the conflict is listed", async () => {
    const doc = resource("conflict-doc");
    const locks = locksFor();
    const base = { resources: [doc], createdAt: Date.now(), confidence: 0.7, ttlMs: 60_000 };
    const low = `low-${run}`;
    const high = `high-${run}`;
    expect(await locks.declareClaim({ ...base, claimId: low, claimant: "optimization:low", priority: 1 })).toEqual({
      outcome: "proceed",
    });
    expect(await locksFor().declareClaim({ ...base, claimId: high, claimant: "optimization:high", priority: 2 })).toEqual({
      outcome: "proceed",
    });
    // Never both: the first learns at its point of no return that it yielded.
    expect(await locks.commitClaim(low, [doc])).toMatchObject({ outcome: "yield", to: high });
    expect(await locksFor().commitClaim(high, [doc])).toEqual({ outcome: "proceed" });
    const viewer = await tokenFor("viewer");
    const listed = await eventually(
      () =>
        api<{ events: { eventId: string; conflict?: { winner: string; decidedBy: string; claims: { claimId: string }[] } }[] }>(
          "GET",
          "/api/coordination/conflicts?limit=20",
          { token: viewer },
        ),
      (r) => r.body.events.some((e) => e.eventId === `conflict:${high}`),
      20_000,
      "the conflict in GET /api/coordination/conflicts",
    );
    const conflict = listed.body.events.find((e) => e.eventId === `conflict:${high}`)?.conflict;
    expect(conflict).toMatchObject({ winner: high, decidedBy: "priority" });
    expect(conflict?.claims.map((c) => c.claimId).sort()).toEqual([high, low].sort());
    await locksFor().settleClaim(high, [doc]);
  });
});

describe("network partition (seed 003)", () => {
  it("a holder cut off loses its lease and aborts its work; a new holder proceeds; when the calls come back, the old holder's writes are refused", async () => {
    const name = resource("partition");
    const { client, state } = partitionableClient();
    const cutOff = locksFor(client);
    const ttlMs = 2_000;
    const lease = await cutOff.acquire({ resource: name, mode: "exclusive", ttlMs, ...holder("cut") }, { timeoutMs: 5_000 });
    const kept = cutOff.keep(lease, { ttlMs, renewEveryMs: 500 });
    // WHEN its calls are dropped
    state.cut = true;
    const aborted = new Promise<unknown>((resolve) => kept.signal.addEventListener("abort", () => resolve(kept.signal.reason)));
    const reason = await aborted;
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(reason).toMatchObject({ reason: "expired" });
    expect(Date.now()).toBeLessThanOrEqual(Date.parse(kept.current().expiresAt) + 200);
    // THEN another holder proceeds
    const other = locksFor();
    const successor = await other.acquire(
      { resource: name, mode: "exclusive", ttlMs: 10_000, ...holder("other") },
      { timeoutMs: 10_000 },
    );
    await other.transactWrite(successor, [
      { Put: { TableName: PROTECTED_TABLE, Item: { id: "partition", value: "successor" } } },
    ]);
    // …and when the partition heals, the old holder's write is refused
    state.cut = false;
    await kept.stop();
    await expect(
      cutOff.transactWrite(kept.current(), [
        { Put: { TableName: PROTECTED_TABLE, Item: { id: "partition", value: "cut-off" } } },
      ]),
    ).rejects.toThrow(StaleTokenError);
    const stored = await db.send(new GetCommand({ TableName: PROTECTED_TABLE, Key: { id: "partition" }, ConsistentRead: true }));
    expect(stored.Item?.value).toBe("successor");
    await other.release(successor);
  });
});

afterAll(() => db.destroy());
