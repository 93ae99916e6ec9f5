import { DomainError } from "./errors";
import { BucketContendedError, type BucketLimits, type TakeResult } from "./token-bucket";

/**
 * How much of the API one caller may use: each route belongs to a budget class (its route table
 * entry's `budget`, else `read` for a GET and `write` for the rest), and each caller has one token
 * bucket per class, so a burst of writes leaves reads alone. Kept in our code because HTTP API
 * throttles are per route and stage, not per user, and the emulator enforces none (ADR 0016).
 */
export type BudgetClass = "read" | "write" | "expensive";

/** Per user (`sub`) and class. `expensive`: routes that fan out into many AWS calls (batch, bulk, health). */
export const REQUEST_BUDGETS: Readonly<Record<BudgetClass, BucketLimits>> = {
  read: { capacity: 300, refillPerSecond: 50 },
  write: { capacity: 100, refillPerSecond: 20 },
  expensive: { capacity: 10, refillPerSecond: 1 },
};

/**
 * Callers without a token (the public routes: health, the OpenAPI document), per source IP and
 * class. Several people behind one NAT share an address, so these are not much smaller than a
 * user's; the health answer is also cached (get-health.ts), so a flood costs no AWS calls.
 */
export const ANONYMOUS_BUDGETS: Readonly<Record<BudgetClass, BucketLimits>> = {
  read: { capacity: 60, refillPerSecond: 10 },
  write: { capacity: 20, refillPerSecond: 4 },
  expensive: { capacity: 20, refillPerSecond: 2 },
};

/** Where callers' buckets are kept, shared by every instance of every route's function. */
export interface RequestLimiter {
  take(key: string, limits: BucketLimits, nowMs: number): Promise<TakeResult>;
}

/** Over the caller's budget for this class of route: 429 with `Retry-After` in whole seconds. */
export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = "RateLimited";
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly budget: BudgetClass,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`too many ${budget} requests; retry after ${retryAfterSeconds} s`, options);
    this.name = "RateLimitedError";
    this.headers = { "retry-after": String(retryAfterSeconds) };
  }
}

/** The budget class of a route: declared, or by its method. */
export const budgetOf = (route: { readonly method: string; readonly budget?: BudgetClass }): BudgetClass =>
  route.budget ?? (route.method === "GET" ? "read" : "write");

/**
 * Takes one request from the caller's bucket for `budget`; throws RateLimitedError when it is empty.
 *
 * @example
 * await admit(limiter, { sub: "ann" }, "write", Date.now());
 */
export async function admit(
  limiter: RequestLimiter,
  who: { readonly sub: string } | { readonly sourceIp: string },
  budget: BudgetClass,
  nowMs: number,
): Promise<void> {
  const [key, limits] =
    "sub" in who
      ? [`USER#${who.sub}#${budget}`, REQUEST_BUDGETS[budget]]
      : [`IP#${who.sourceIp}#${budget}`, ANONYMOUS_BUDGETS[budget]];
  let result: TakeResult;
  try {
    result = await limiter.take(key, limits, nowMs);
  } catch (error) {
    // Takes lost to each other every round: a burst no budget admits, not a fault of ours (never a 500).
    if (error instanceof BucketContendedError) throw new RateLimitedError(budget, 1, { cause: error });
    throw error;
  }
  if (!result.ok) throw new RateLimitedError(budget, Math.max(1, Math.ceil(result.retryAfterMs / 1_000)));
}
