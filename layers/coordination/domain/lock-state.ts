import * as z from "zod";

/** `shared`: many readers at once. `exclusive`: one writer, and no reader meanwhile. */
export const LOCK_MODES = ["shared", "exclusive"] as const;
export const LockMode = z.enum(LOCK_MODES);
export type LockMode = z.infer<typeof LockMode>;

/**
 * A resource is a path of safe characters (`settings/keyword-config`, `fleet/data-quality`,
 * `feed/127.0.0.1:4599`): segments of letters, digits, `.`, `_`, `-` and `:`, joined by `/`.
 */
export const ResourceName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*(\/[A-Za-z0-9][A-Za-z0-9._:-]*)*$/,
    "must be a path of letters, digits, '.', '_', '-' and ':' segments joined by '/'",
  );
export type ResourceName = z.infer<typeof ResourceName>;

/** One granted lease as the lock row keeps it. Times are epoch milliseconds. */
export const LeaseEntry = z.object({
  leaseId: z.string().min(1),
  token: z.number().int().positive(),
  mode: LockMode,
  /** Who holds it: `agent:<id>`, `user:<name>`, `function:<name>`. */
  holder: z.string().min(1),
  /** The requester's idempotency key: an acquire repeated with it gets this lease back. */
  requestKey: z.string().min(1),
  acquiredAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type LeaseEntry = z.infer<typeof LeaseEntry>;

/** An exclusive request waiting its turn: it holds back new shared grants and later writers. */
export const Waiter = z.object({
  requestKey: z.string().min(1),
  holder: z.string().min(1),
  since: z.number().int(),
  /** The waiter renews this while it waits; once it lies more than the skew margin in the past, the waiter is gone. */
  until: z.number().int(),
});
export type Waiter = z.infer<typeof Waiter>;

export const LEASE_ENDINGS = ["released", "expired", "stolen"] as const;
export const LeaseEnding = z.enum(LEASE_ENDINGS);
export type LeaseEnding = z.infer<typeof LeaseEnding>;

/** A lease that ended, kept for a while so a late renewal learns why, and the events relay can say it. */
export const EndedLease = LeaseEntry.pick({ leaseId: true, token: true, mode: true, holder: true }).extend({
  how: LeaseEnding,
  at: z.number().int(),
  /** Who forced it (`stolen`). */
  by: z.string().optional(),
  reason: z.string().optional(),
});
export type EndedLease = z.infer<typeof EndedLease>;

export const CLAIM_STATUSES = ["contending", "committed", "yielded"] as const;

/**
 * An intent to change a resource (an agent's or an optimization's), kept on each resource it
 * names, so two intents on overlapping resources meet in one row and are decided by one write.
 */
export const Claim = z.object({
  claimId: z.string().min(1),
  claimant: z.string().min(1),
  /** Higher goes first. */
  priority: z.number().int(),
  /** When the claimant's intent began (older goes first on equal priority). */
  createdAt: z.number().int(),
  confidence: z.number().min(0).max(1),
  /** Every resource the claim names, so a row can tell the whole of each claim. */
  resources: z.array(z.string()).min(1),
  until: z.number().int(),
  status: z.enum(CLAIM_STATUSES),
  /** The claim this one yielded to. */
  yieldedTo: z.string().optional(),
});
export type Claim = z.infer<typeof Claim>;

/** A conflict decided on this row, kept for the events relay (each conflict's id is its newcomer's claim id). */
export const ConflictRecord = z.object({
  claimId: z.string(),
  at: z.number().int(),
  resources: z.array(z.string()),
  claims: z.array(Claim.pick({ claimId: true, claimant: true, priority: true, createdAt: true, confidence: true })),
  winner: z.string(),
  decidedBy: z.enum(["committed", "priority", "age", "confidence", "claimId"]),
});
export type ConflictRecord = z.infer<typeof ConflictRecord>;

/**
 * Everything about one resource's lock, in one row, so every change is one conditional write:
 *
 *   fence     the last token granted; it only ever rises, by one per grant, in the write that grants
 *   version   rises with every write; each write is conditional on the version its plan was made from
 *   exclusive the writer's lease, if any
 *   shared    readers' leases by lease id
 *   waiters   exclusive requests in arrival order (writer preference: they block new shared grants)
 *   ended     the last few leases that ended, and how
 *   claims    intents to change the resource, and how conflicts between them were decided
 */
export const LockState = z.object({
  resource: ResourceName,
  fence: z.number().int().min(0),
  version: z.number().int().min(0),
  exclusive: LeaseEntry.optional(),
  shared: z.record(z.string(), LeaseEntry).default({}),
  waiters: z.array(Waiter).default([]),
  ended: z.array(EndedLease).default([]),
  claims: z.array(Claim).default([]),
  conflicts: z.array(ConflictRecord).default([]),
});
export type LockState = z.infer<typeof LockState>;

/** A resource nobody has locked yet: version 0 means "no row". */
export const emptyLock = (resource: string): LockState => ({
  resource,
  fence: 0,
  version: 0,
  shared: {},
  waiters: [],
  ended: [],
  claims: [],
  conflicts: [],
});

/** Every lease the row holds, writer first. */
export const leasesOf = (state: LockState): LeaseEntry[] => [
  ...(state.exclusive ? [state.exclusive] : []),
  ...Object.values(state.shared).sort((a, b) => a.token - b.token),
];

/**
 * A lease id names its resource and its token, so renew and release by id need no index:
 * `<resource, base64url>.<token>`. Tokens are unique per resource, so lease ids are unique.
 */
export const leaseIdOf = (resource: string, token: number): string =>
  `${Buffer.from(resource, "utf8").toString("base64url")}.${token}`;

/** The resource and token a lease id names, or undefined if it is not one of ours. */
export function parseLeaseId(leaseId: string): { resource: string; token: number } | undefined {
  const match = /^([A-Za-z0-9_-]{1,300})\.([1-9][0-9]{0,15})$/.exec(leaseId);
  if (!match?.[1] || !match[2]) return undefined;
  const resource = Buffer.from(match[1], "base64url").toString("utf8");
  if (!ResourceName.safeParse(resource).success || leaseIdOf(resource, Number(match[2])) !== leaseId) return undefined;
  return { resource, token: Number(match[2]) };
}
