import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import type { MinuteCounters, StatsApplied, StatsDelta, TaskStatsStore, TaskVersionRef, TypeCounters } from "../domain/ports";
import { minuteOf } from "../domain/task-stats";

/**
 * Counters in one table keyed by `pk`:
 *
 *   pk                       what                                                    expires
 *   TYPE#<agentType>         tasks per priority × status, queue/execution time sums  never
 *   MINUTE#<yyyy-mm-ddThh:mm> tasks finished and completed that minute (per type too) after 2 h
 *   TICK#<name>              a shared counter (round-robin turns)                    never
 *   APPLIED#<taskId>#<version> that version's delta was added                         after 8 days
 *
 * A delta is one TransactWriteItems: the version's APPLIED marker, put only if absent, and the
 * ADDs to its rows. A replayed stream record (a retried batch, an SDK retry of a write that
 * had landed) finds the marker and adds nothing, so the counters take each version once
 * (ADR 0017). ADD, not SET, so concurrent relays never overwrite each other.
 */
export class DynamoDbTaskStats implements TaskStatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(delta: StatsDelta): Promise<StatsApplied> {
    const marker = {
      Put: {
        TableName: this.tableName,
        Item: {
          pk: appliedKey(delta.change),
          agentType: delta.agentType,
          expiresAt: Math.floor(Date.now() / 1000) + APPLIED_MARKER_SECONDS,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
    const adds = [this.addition(`TYPE#${delta.agentType}`, delta.counters)];
    if (delta.minute) {
      const expiresAt = Math.floor(Date.parse(`${delta.minute.at}:00Z`) / 1000) + 2 * 3600;
      adds.push(this.addition(`MINUTE#${delta.minute.at}`, delta.minute.counters, { expiresAt }));
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [marker, ...adds] }));
      return "applied";
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed")
        return "already_applied";
      throw error;
    }
  }

  async applied(change: TaskVersionRef): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: appliedKey(change) }, ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async byType(): Promise<Partial<Record<AgentType, TypeCounters>>> {
    const { Responses } = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: AGENT_TYPES.map((type) => ({ pk: `TYPE#${type}` })) } } }),
    );
    return Object.fromEntries(
      (Responses?.[this.tableName] ?? []).flatMap((item) => {
        const type = AgentType.safeParse(String(item.pk).slice("TYPE#".length));
        return type.success ? [[type.data, numbersOf(item)]] : [];
      }),
    );
  }

  async ofType(agentType: AgentType): Promise<TypeCounters> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `TYPE#${agentType}` } }));
    return Item ? numbersOf(Item) : {};
  }

  async lastMinutes(count: number, now: Date): Promise<MinuteCounters[]> {
    const minutes = Array.from({ length: count }, (_, i) => minuteOf(new Date(now.getTime() - i * 60_000).toISOString()));
    const { Responses } = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: minutes.map((m) => ({ pk: `MINUTE#${m}` })) } } }),
    );
    const found = new Map((Responses?.[this.tableName] ?? []).map((item) => [String(item.pk), numbersOf(item)]));
    return minutes.map((m) => found.get(`MINUTE#${m}`) ?? {});
  }

  async nextTick(name: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `TICK#${name}` },
        UpdateExpression: "ADD #value :one",
        ExpressionAttributeNames: { "#value": "value" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(Attributes?.value ?? 0);
  }

  private addition(pk: string, counters: Readonly<Record<string, number>>, extra: Record<string, number> = {}): TransactItem {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds = Object.entries(counters).map(([name, amount], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = amount;
      return `#c${i} :c${i}`;
    });
    const sets = Object.entries(extra).map(([name, value], i) => {
      names[`#e${i}`] = name;
      values[`:e${i}`] = value;
      return `#e${i} = :e${i}`;
    });
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk },
        UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(", ")} ` : ""}ADD ${adds.join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * How long a version's marker is kept: past the stream's 24 h of retries, and past the longest a
 * task can wait queued (7 days of TTL after up to 15 minutes of backoff), because the sweeper
 * reads a queued task's marker to tell a dispatched task from a stranded one.
 */
export const APPLIED_MARKER_SECONDS = 8 * 24 * 3600;

const appliedKey = (change: TaskVersionRef) => `APPLIED#${change.taskId}#${change.version}`;

function numbersOf(item: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(item).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}
