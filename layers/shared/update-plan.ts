/**
 * A conditional write as a plan: the statuses an item may leave, the facts it must still hold,
 * and what the write sets and removes. The DynamoDB adapters turn a plan into one conditional
 * `UpdateItem` (`layers/shared/adapters/update-expression.ts`); in-memory stores in tests apply
 * the same plan with `applyPlan`, so both refuse exactly the same writes.
 */
export interface UpdatePlan {
  /** What the write is, for errors and logs. */
  readonly kind: string;
  /** The values `status` may have; absent: any. */
  readonly from?: readonly string[];
  /** Attributes that must equal these values. */
  readonly expect?: Readonly<Record<string, string | number | boolean>>;
  /** Attributes that must be greater than these values (ISO instants compare as text). */
  readonly greaterThan?: Readonly<Record<string, string | number>>;
  /** Attributes that must not exist yet. */
  readonly absent?: readonly string[];
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
}

type Item = Readonly<Record<string, unknown>>;

/** Whether `item` meets the plan's conditions (what a conditional write would check). */
export function planHolds(item: Item | undefined, plan: UpdatePlan): boolean {
  if (!item) return false;
  if (plan.from && !plan.from.includes(String(item.status))) return false;
  for (const [field, value] of Object.entries(plan.expect ?? {})) if (item[field] !== value) return false;
  for (const [field, value] of Object.entries(plan.greaterThan ?? {})) {
    const held = item[field];
    if (typeof held !== typeof value || !((held as string | number) > value)) return false;
  }
  return (plan.absent ?? []).every((field) => item[field] === undefined);
}

/** The item after the plan's write, `version` bumped; the caller checks `planHolds` first. */
export function applyPlan<T extends Item>(item: T, plan: UpdatePlan): T {
  const removed = new Set(plan.remove ?? []);
  const merged = { ...item, ...plan.set, version: Number(item.version ?? 0) + 1 };
  return Object.fromEntries(Object.entries(merged).filter(([field, value]) => value !== undefined && !removed.has(field))) as T;
}
