import * as z from "zod";
import { type LeaseEntry, LockMode, ResourceName } from "./lock-state";

/**
 * What a holder gets for a granted lock. `token` is the fencing token: it is greater than every
 * token granted on this resource before, so a protected write that names it is refused once a
 * later holder exists. `expiresAt` is the instant the lease ends by the clock of whoever granted
 * it; a holder must stop protected work by then unless it has renewed.
 */
export const Lease = z
  .object({
    leaseId: z.string(),
    resource: ResourceName,
    mode: LockMode,
    token: z.number().int().positive(),
    holder: z.string(),
    acquiredAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "Lease" });
export type Lease = z.infer<typeof Lease>;

/** What the lock needs of a lease to renew or release it, or to fence a write with it. */
export type LeaseRef = Pick<Lease, "leaseId" | "resource" | "token">;

export const toLease = (resource: string, entry: LeaseEntry): Lease => ({
  leaseId: entry.leaseId,
  resource,
  mode: entry.mode,
  token: entry.token,
  holder: entry.holder,
  acquiredAt: new Date(entry.acquiredAt).toISOString(),
  expiresAt: new Date(entry.expiresAt).toISOString(),
});

/** Why a lock could not be had: each holder (or waiting writer) in the way, with its token. */
export const Blocker = z.object({
  resource: ResourceName,
  holder: z.string(),
  mode: LockMode,
  /** Absent for a writer that waits and holds nothing yet. */
  token: z.number().int().positive().optional(),
  expiresAt: z.iso.datetime().optional(),
  waiting: z.boolean().optional(),
});
export type Blocker = z.infer<typeof Blocker>;
