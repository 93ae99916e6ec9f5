import { type AttributeValue, ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskStore } from "../domain/ports";
import { Task } from "../domain/task";
import { IllegalTransitionError, type TransitionPlan } from "../domain/task-state-machine";
import { priorityOrderKey } from "../domain/task-list";
import { LIST_KEY, queueNameOf } from "./task-table-layout";

/** Fields held as JSON text: DynamoDB maps refuse empty keys and deep nesting that JSON allows. */
const JSON_FIELDS = ["payload", "result"] as const;

/** A task as a row: JSON fields as text, plus the attributes its indexes key on. */
export function toItem(task: Partial<Task>): Record<string, unknown> {
  const item: Record<string, unknown> = { ...task };
  for (const field of JSON_FIELDS) {
    if (task[field] !== undefined) item[field] = JSON.stringify(task[field]);
  }
  return item;
}

/** Decodes a stored row; a row that does not decode is corruption and is reported, not guessed at. */
export function fromItem(item: Record<string, unknown>): Task {
  const decoded: Record<string, unknown> = { ...item };
  for (const field of JSON_FIELDS) {
    if (typeof item[field] === "string") decoded[field] = JSON.parse(item[field]);
  }
  return Task.parse(decoded);
}

/**
 * Tasks in one DynamoDB table keyed by `taskId`. Transitions are single conditional
 * UpdateItem calls: the plan's allowed statuses and expectations become the condition.
 */
export class DynamoDbTaskStore implements TaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(task: Task): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...toItem(task),
            listKey: LIST_KEY,
            queueName: queueNameOf(task.agentType, task.priority),
            priorityOrder: priorityOrderKey(task),
            ...(task.status === "queued" ? { queuedSince: task.queuedAt } : {}),
          },
          ConditionExpression: "attribute_not_exists(taskId)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(taskId: string): Promise<Task | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { taskId }, ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async apply(taskId: string, plan: TransitionPlan): Promise<Task> {
    const names: Record<string, string> = { "#version": "version", "#status": "status" };
    const values: Record<string, unknown> = { ":one": 1 };
    const sets = ["#version = #version + :one"];
    const removes: string[] = [];
    const set = (field: string, value: unknown) => {
      names[`#${field}`] = field;
      values[`:set_${field}`] = value;
      sets.push(`#${field} = :set_${field}`);
    };
    for (const [field, value] of Object.entries(toItem(plan.set))) set(field, value);
    // Only queued tasks are in the `queued` index: its sort key exists exactly while queued.
    if (plan.set.status === "queued" && plan.set.queuedAt) set("queuedSince", plan.set.queuedAt);
    for (const field of [...plan.remove, ...(plan.set.status === "queued" ? [] : ["queuedSince"])]) {
      names[`#${field}`] = field;
      removes.push(`#${field}`);
    }
    const fromValues = plan.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    const conditions = ["attribute_exists(taskId)", `#status IN (${fromValues.join(", ")})`];
    for (const [field, value] of Object.entries(plan.expect)) {
      names[`#${field}`] = field;
      values[`:expect_${field}`] = value;
      conditions.push(`#${field} = :expect_${field}`);
    }
    if (plan.notExpiredAt) {
      names["#expiresAt"] = "expiresAt";
      values[":notExpiredAt"] = plan.notExpiredAt;
      conditions.push("(attribute_not_exists(#expiresAt) OR #expiresAt > :notExpiredAt)");
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { taskId },
          UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      if (!Attributes) throw new Error(`UpdateItem on task ${taskId} returned no attributes`);
      return fromItem(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client unmarshalls responses, not errors: the old item comes as raw attribute values.
      const current = error.Item ? fromItem(unmarshall(error.Item as Record<string, AttributeValue>)) : await this.get(taskId);
      throw new IllegalTransitionError(taskId, plan.kind, current);
    }
  }
}
