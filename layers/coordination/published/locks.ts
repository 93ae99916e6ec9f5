/**
 * Resource locks for every context: leases with fencing tokens over the coordination context's
 * locks table, and writes fenced by them (ADR 0014). This module is the stable entry point; it
 * is extended, never renamed.
 *
 * How to use it:
 *
 * 1. Give the process the table (`LOCKS_TABLE`, from `LocksTableEnvironment`; the coordination stack's
 *    `grantLocks(grantee)` grants the calls) and build one `ResourceLocks` per process.
 * 2. Hold a lock for a piece of work with `withLease`: it waits up to `timeoutMs`, renews the
 *    lease a third of the way through each `ttlMs`, hands your work the lease and a signal that
 *    aborts the moment the lease is lost (released elsewhere, stolen by an admin, or not renewed
 *    by its end because the store was unreachable), and releases when the work ends.
 * 3. Fence every protected write with the lease: `transactWrite(lease, items)` for DynamoDB (one
 *    transaction with a `ConditionCheck` on the lock row), `putObject(s3, lease, put)` for S3 (a
 *    conditional put that records the token beside the new version). A holder that lost its
 *    lease gets a `StaleTokenError` and its write does not land.
 * 4. Tell a lost lease (`LeaseLostError`: stop) from an unreachable store
 *    (`CoordinationUnavailableError`: the lease may still be yours until it ends).
 * 5. Before a change that another agent or optimization might want at the same time, declare it
 *    (`declareClaim`: resources, priority, age, confidence); of overlapping claims the policy lets
 *    one proceed and records a `conflict` event; `commitClaim` before starting, `settleClaim` after.
 *
 * @example
 * const locks = new ResourceLocks({ db: dynamoDocumentClient(), tableName: LocksTableEnvironment.read().LOCKS_TABLE });
 * await locks.withLease(
 *   { resource: "settings/keyword-config", mode: "exclusive", ttlMs: 30_000, holder: "function:apply-optimization", requestKey: recommendationId },
 *   { timeoutMs: 10_000 },
 *   async (lease, signal) => {
 *     const current = await readFence(s3, bucket, key);
 *     signal.throwIfAborted();
 *     await locks.putObject(s3, lease, { bucket, key, body: JSON.stringify(next), basedOn: current?.etag ?? null });
 *   },
 * );
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { envContract, envVar } from "#shared/env-contract";
import { type FencedItem, fencedTransactWrite } from "../adapters/dynamodb-fenced-writer";
import { DynamoDbLockStore } from "../adapters/dynamodb-lock-store";
import { type FencedPut, fencedPutObject, type ObjectFence } from "../adapters/s3-fenced-writer";
import type { Lease, LeaseRef } from "../domain/lease";
import { type KeepOptions, type KeptLease, keepLease, withLease, type WithLeaseOptions } from "../domain/lease-keeper";
import { type LockRequest, LockService, type LockServiceOptions } from "../domain/lock-service";
import type { LockStore } from "../domain/ports";

export { FencedWriteConditionError, type FencedItem } from "../adapters/dynamodb-fenced-writer";
export { ConcurrentChangeError, FENCE_METADATA, type FencedPut, type ObjectFence, readFence } from "../adapters/s3-fenced-writer";
export {
  CoordinationUnavailableError,
  LeaseLostError,
  LockContentionError,
  LockTimeoutError,
  type LossReason,
  StaleTokenError,
} from "../domain/errors";
export { Blocker, Lease, type LeaseRef } from "../domain/lease";
export {
  keepLease,
  type KeepOptions,
  type KeptLease,
  untilAborted,
  withLease,
  type WithLeaseOptions,
} from "../domain/lease-keeper";
export { CLOCK_SKEW_MARGIN_MS } from "../domain/lock-protocol";
export { type ClaimRequest, rank, type Verdict } from "../domain/conflicts";
export {
  type LockRequest,
  LockService,
  type LockServiceOptions,
  type ReleaseResult,
  type TryAcquireAllResult,
  type TryAcquireResult,
  type WaitOptions,
} from "../domain/lock-service";
export { LOCK_MODES, LockMode, ResourceName } from "../domain/lock-state";
export type { LockStore } from "../domain/ports";

/** The variable a process that takes locks reads: the locks table's name (the coordination stack writes it). */
export const LocksTableEnvironment = envContract({ LOCKS_TABLE: envVar.name() });

/** The stage's `resourceLockTimeout`: the longest lease a holder may ask for, in seconds. */
export const LockTimeoutEnvironment = envContract({ RESOURCE_LOCK_TIMEOUT_SECONDS: envVar.int({ min: 1 }) });

/**
 * `LocksTableEnvironment`'s variable as a zod schema, for `readEnv`.
 * @deprecated read `LocksTableEnvironment`; kept while the optimization functions' wiring still reads this.
 */
export const LocksTableEnv = z.object({ LOCKS_TABLE: LocksTableEnvironment.vars.LOCKS_TABLE.schema });

export interface ResourceLocksProps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Another store (tests pass an in-memory one). @default the DynamoDB table `tableName` */
  readonly store?: LockStore;
}

/**
 * `LockService` over the locks table, with the fenced writes that go with it.
 */
export class ResourceLocks extends LockService {
  private readonly db: DynamoDBDocumentClient;
  readonly tableName: string;

  constructor(props: ResourceLocksProps, options: LockServiceOptions = {}) {
    super(props.store ?? new DynamoDbLockStore(props.db, props.tableName), options);
    this.db = props.db;
    this.tableName = props.tableName;
  }

  /** Runs `work` under the lock (see the module's notes). */
  withLease<T>(
    request: LockRequest,
    options: WithLeaseOptions,
    work: (lease: Lease, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withLease(this, request, options, work);
  }

  /** Renews `lease` in the background until stopped; its signal aborts when the lease is lost. */
  keep(lease: Lease, options: KeepOptions): KeptLease {
    return keepLease(this, lease, options);
  }

  /**
   * Writes `items` in one DynamoDB transaction that also checks `lease` is still the resource's
   * exclusive lease, unexpired by this clock.
   * @throws StaleTokenError (nothing written) when it is not; FencedWriteConditionError when an item's own condition fails.
   */
  transactWrite(lease: LeaseRef, items: readonly FencedItem[]): Promise<void> {
    return fencedTransactWrite(this.db, this.tableName, lease, items, new Date(this.time().now));
  }

  /**
   * Puts a new version of an S3 object, fenced by `lease` (see `fencedPutObject`).
   * @throws StaleTokenError, ConcurrentChangeError
   */
  putObject(s3: S3Client, lease: LeaseRef, put: FencedPut): Promise<ObjectFence> {
    return fencedPutObject(s3, (l) => this.assertCurrent(l), lease, put);
  }
}
