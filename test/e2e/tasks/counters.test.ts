import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { countKey } from "#tasks/domain/task-stats";
import { api, eventually, outputs, submit } from "../support/api";
import { invokeFunction } from "../support/fleet";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

const raw = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(raw);
const streams = new DynamoDBStreamsClient({});
afterAll(() => {
  db.destroy();
  streams.destroy();
});

const statsRow = async (pk: string) =>
  (await db.send(new GetCommand({ TableName: outputs().TaskStatsTableName, Key: { pk }, ConsistentRead: true }))).Item;

/** Every record the tasks table's stream still holds for `taskId`, in order, as the stream API returns them. */
async function streamRecordsOf(taskId: string): Promise<StreamRecord[]> {
  const { Table } = await raw.send(new DescribeTableCommand({ TableName: outputs().TasksTableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error("the tasks table has no stream");
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const found: StreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }),
      )
    ).ShardIterator;
    // Bounded: a shard of this run's records is read in a few pages of 1000.
    for (let page = 0; iterator && page < 100; page++) {
      const { Records, NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      found.push(...(Records ?? []).filter((r) => r.dynamodb?.Keys?.taskId?.S === taskId));
      if (!Records?.length) break;
      iterator = NextShardIterator;
    }
  }
  return found;
}

/** A stream batch as Lambda delivers it to the relay. */
const batchOf = (records: StreamRecord[]) => ({
  Records: records.map((r) => ({ ...r, eventSource: "aws:dynamodb", awsRegion: outputs().region })),
});

/** The same records as if they were new versions of the task (the applied markers do not know them). */
function asNewVersions(records: StreamRecord[], by: number): StreamRecord[] {
  const bump = (image: NonNullable<StreamRecord["dynamodb"]>["NewImage"]) =>
    image?.version?.N ? { ...image, version: { N: String(Number(image.version.N) + by) } } : image;
  return records.map((r) => ({
    ...r,
    dynamodb: { ...r.dynamodb, NewImage: bump(r.dynamodb?.NewImage), OldImage: bump(r.dynamodb?.OldImage) },
  }));
}

describe("counters that stay true", () => {
  it("a replayed stream batch leaves the counters unchanged; the same batch as unseen versions moves them (the control)", async () => {
    // GIVEN a task submitted and cancelled, both changes relayed and counted
    const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "normal" });
    expect((await api("POST", `/api/tasks/${task.taskId}/cancel`, { body: {} })).status).toBe(200);
    await eventually(
      () => statsRow(`APPLIED#${task.taskId}#2`),
      (marker) => marker !== undefined,
      20_000,
      "the cancel counted",
    );
    const records = await streamRecordsOf(task.taskId);
    expect(records.map((r) => r.eventName)).toEqual(["INSERT", "MODIFY"]);
    const typeRow = `TYPE#${UNATTENDED_AGENT_TYPE}`;
    const before = await statsRow(typeRow);

    // WHEN the relay gets the same batch again (a retried batch, as the stream redelivers it)
    const replay = await invokeFunction<{ batchItemFailures: unknown[] }>(outputs().RelayFunctionName, batchOf(records));

    // THEN it succeeds and the counters are exactly as they were
    expect(replay.batchItemFailures).toEqual([]);
    expect(await statsRow(typeRow)).toEqual(before);

    // AND the control: the same changes under versions the markers have not seen are counted (the test can fail)
    await invokeFunction(outputs().RelayFunctionName, batchOf(asNewVersions(records, 1_000)));
    const after = await statsRow(typeRow);
    const cancelled = countKey("normal", "cancelled");
    expect(Number(after?.[cancelled])).toBe(Number(before?.[cancelled]) + 1);
  });
});
