import { type AttributeValue, ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskStore } from "../domain/ports";
import { Task } from "../domain/task";
import { updateExpressionsOf } from "#shared/adapters/conditional-update";
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
 * UpdateItem calls: the plan's allowed statuses and expectations become the condition, and
 * every write adds one to `version`.
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
    // Only queued tasks are in the `queued` index: its sort key exists exactly while queued.
    const queued = plan.set.status === "queued";
    const update = updateExpressionsOf({
      conditions: [
        { attribute: "taskId", exists: true },
        { attribute: "status", oneOf: plan.from },
        ...Object.entries(plan.expect).map(([attribute, equals]) => ({ attribute, equals })),
        ...(plan.notExpiredAt ? [{ attribute: "expiresAt", absentOrAfter: plan.notExpiredAt }] : []),
      ],
      set: { ...toItem(plan.set), ...(queued && plan.set.queuedAt ? { queuedSince: plan.set.queuedAt } : {}) },
      remove: [...plan.remove, ...(queued ? [] : ["queuedSince"])],
      add: { version: 1 },
    });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { taskId },
          ...update,
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
