import { type AttributeValue, ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskStore } from "../domain/ports";
import type { BatchTaskReader, BatchTaskWriter } from "../domain/submit-batch";
import { Task } from "../domain/task";
import { batchGetAll } from "#shared/adapters/batch-get";
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

/** A new task's row: the task and the attributes its indexes key on. */
const rowOf = (task: Task): Record<string, unknown> => ({
  ...toItem(task),
  listKey: LIST_KEY,
  queueName: queueNameOf(task.agentType, task.priority),
  priorityOrder: priorityOrderKey(task),
  ...(task.status === "queued" ? { queuedSince: task.queuedAt } : {}),
});

/** Writes one transaction holds at most. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * Tasks in one DynamoDB table keyed by `taskId`. Transitions are single conditional
 * UpdateItem calls: the plan's allowed statuses and expectations become the condition, and
 * every write adds one to `version`.
 */
export class DynamoDbTaskStore implements TaskStore, BatchTaskWriter, BatchTaskReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(task: Task): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: rowOf(task),
          ConditionExpression: "attribute_not_exists(taskId)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Creates many tasks in one `TransactWriteItems` per 100, each conditional on its id being
   * free, as `create` is. A transaction cancelled because some ids were taken is written again
   * without them, so the answer says, per task, whether it was created.
   */
  async createAll(tasks: readonly Task[]): Promise<boolean[]> {
    const created = new Array<boolean>(tasks.length).fill(false);
    for (let start = 0; start < tasks.length; start += MAX_TRANSACTION_ITEMS) {
      let pending = tasks.slice(start, start + MAX_TRANSACTION_ITEMS).map((task, n) => ({ task, at: start + n }));
      // Each round either writes everything left or drops at least one taken id.
      while (pending.length > 0) {
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: pending.map(({ task }) => ({
                Put: { TableName: this.tableName, Item: rowOf(task), ConditionExpression: "attribute_not_exists(taskId)" },
              })),
            }),
          );
          for (const { at } of pending) created[at] = true;
          pending = [];
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          const taken = new Set(pending.filter((_, n) => reasons[n]?.Code === "ConditionalCheckFailed").map(({ at }) => at));
          if (taken.size === 0) throw error;
          pending = pending.filter(({ at }) => !taken.has(at));
        }
      }
    }
    return created;
  }

  async getAll(taskIds: readonly string[]): Promise<Map<string, Task>> {
    const items = await batchGetAll(
      this.db,
      this.tableName,
      taskIds.map((taskId) => ({ taskId })),
    );
    return new Map(items.map((item) => fromItem(item)).map((task) => [task.taskId, task] as const));
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
