import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { fromItem, toItem } from "#tasks/adapters/dynamodb-task-store";
import type { TaskStore } from "#tasks/domain/ports";
import type { Task } from "#tasks/domain/task";
import { applyPlan, IllegalTransitionError, type TransitionPlan } from "#tasks/domain/task-state-machine";

/**
 * What not to do, kept for one test: read the task, apply the transition in memory, write the
 * whole row back with no condition. Racing writers all read the same old row, all "succeed",
 * and every write but the last is lost — the lost update the real store's condition prevents.
 */
export class UnconditionalTaskStore implements TaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(task: Task): Promise<boolean> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: toItem(task) }));
    return true;
  }

  async get(taskId: string): Promise<Task | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { taskId }, ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async apply(taskId: string, plan: TransitionPlan): Promise<Task> {
    const current = await this.get(taskId);
    if (!current) throw new IllegalTransitionError(taskId, plan.kind, undefined);
    const next = applyPlan(current, plan);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: toItem(next) }));
    return next;
  }
}
