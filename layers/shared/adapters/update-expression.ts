import type { UpdatePlan } from "../update-plan";

/** The parts of an `UpdateItem` a plan becomes. */
export interface UpdateExpressionParts {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * One conditional `UpdateItem` for a plan: the item must exist (`existsField`), `status` be one
 * of `from`, every `expect` hold, every `greaterThan` be exceeded and every `absent` field be
 * missing; it sets `set` (undefined values are removed), removes `remove` and adds one to
 * `version`.
 *
 * @example
 * const parts = updateExpressionOf({ kind: "expire", from: ["pending"], set: { status: "expired" } }, "pk");
 */
export function updateExpressionOf(plan: UpdatePlan, existsField: string): UpdateExpressionParts {
  const names: Record<string, string> = { "#version": "version", "#exists": existsField };
  const values: Record<string, unknown> = { ":one": 1, ":zero": 0 };
  const name = (field: string) => {
    names[`#${field}`] = field;
    return `#${field}`;
  };
  const sets = ["#version = if_not_exists(#version, :zero) + :one"];
  const removes: string[] = [];
  for (const [field, value] of Object.entries(plan.set)) {
    if (value === undefined) {
      removes.push(name(field));
      continue;
    }
    values[`:set_${field}`] = value;
    sets.push(`${name(field)} = :set_${field}`);
  }
  for (const field of plan.remove ?? []) removes.push(name(field));

  const conditions = ["attribute_exists(#exists)"];
  if (plan.from) {
    const from = plan.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    conditions.push(`${name("status")} IN (${from.join(", ")})`);
  }
  for (const [field, value] of Object.entries(plan.expect ?? {})) {
    values[`:expect_${field}`] = value;
    conditions.push(`${name(field)} = :expect_${field}`);
  }
  for (const [field, value] of Object.entries(plan.greaterThan ?? {})) {
    values[`:gt_${field}`] = value;
    conditions.push(`${name(field)} > :gt_${field}`);
  }
  for (const field of plan.absent ?? []) conditions.push(`attribute_not_exists(${name(field)})`);

  return {
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${[...new Set(removes)].join(", ")}` : ""}`,
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
