import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";

/** What the stored item must hold for a write to apply; every condition of a plan must. */
export type WriteCondition =
  /** The attribute is present (`exists: true`) or absent. */
  | { readonly attribute: string; readonly exists: boolean }
  | { readonly attribute: string; readonly equals: unknown }
  /** The attribute holds one of these values. */
  | { readonly attribute: string; readonly oneOf: readonly unknown[] }
  /** The attribute is absent, or sorts after this value (ISO instants compare as strings). */
  | { readonly attribute: string; readonly absentOrAfter: string };

/**
 * One conditional write to one item, worked out before it is sent: the conditions the stored
 * item must meet, the attributes it sets and removes, and the counters it adds to. Domain
 * plans (a task transition, a versioned ledger row) are turned into one of these by their
 * adapter, so every conditional write is built the same way.
 */
export interface ConditionalUpdate {
  readonly conditions: readonly WriteCondition[];
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Numbers added to attributes; an absent attribute counts as 0 (DynamoDB's `ADD`). */
  readonly add?: Readonly<Record<string, number>>;
}

/** Attribute names become placeholders `#name`: they must be plain identifiers. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The `UpdateItem` expressions for a conditional update: every attribute by placeholder
 * (`#name`), every value by its role (`:set_name`, `:expect_name`, …), so no attribute name can
 * collide with a reserved word and the same attribute can be both tested and written.
 *
 * @example
 * updateExpressionsOf({ conditions: [{ attribute: "version", equals: 3 }], set: { record }, add: { version: 1 } })
 * // → UpdateExpression "SET #record = :set_record ADD #version :add_version",
 * //   ConditionExpression "#version = :expect_version"
 */
export function updateExpressionsOf(
  update: ConditionalUpdate,
): Required<Pick<UpdateCommandInput, "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames">> &
  Pick<UpdateCommandInput, "ExpressionAttributeValues"> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    if (!PLAIN_NAME.test(attribute)) throw new Error(`attribute name ${JSON.stringify(attribute)} is not a plain identifier`);
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  };
  const value = (placeholder: string, v: unknown) => {
    values[placeholder] = v;
    return placeholder;
  };

  const conditions = update.conditions.map((condition) => {
    const attribute = name(condition.attribute);
    if ("exists" in condition) return `${condition.exists ? "attribute_exists" : "attribute_not_exists"}(${attribute})`;
    if ("equals" in condition) return `${attribute} = ${value(`:expect_${condition.attribute}`, condition.equals)}`;
    if ("oneOf" in condition) {
      const options = condition.oneOf.map((v, i) => value(`:in_${condition.attribute}${i}`, v));
      return `${attribute} IN (${options.join(", ")})`;
    }
    const after = value(`:after_${condition.attribute}`, condition.absentOrAfter);
    return `(attribute_not_exists(${attribute}) OR ${attribute} > ${after})`;
  });
  if (conditions.length === 0) throw new Error("a conditional update needs at least one condition");

  const sets = Object.entries(update.set ?? {}).map(([a, v]) => `${name(a)} = ${value(`:set_${a}`, v)}`);
  const removes = (update.remove ?? []).map(name);
  const adds = Object.entries(update.add ?? {}).map(([a, v]) => `${name(a)} ${value(`:add_${a}`, v)}`);
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(", ")}` : "",
    removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
    adds.length > 0 ? `ADD ${adds.join(", ")}` : "",
  ].filter(Boolean);
  if (clauses.length === 0) throw new Error("a conditional update must change something");

  return {
    UpdateExpression: clauses.join(" "),
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: names,
    // DynamoDB refuses an empty map here.
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}
