import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import {
  type CloudWatchLogsClient,
  DeleteLogStreamCommand,
  DescribeLogStreamsCommand,
  paginateDescribeLogGroups,
} from "@aws-sdk/client-cloudwatch-logs";

/** Local logs are kept as long as the local stage keeps CloudWatch logs (`logRetentionDays`: 1). */
export const LOCAL_LOG_RETENTION_MS = 24 * 3600 * 1_000;

/**
 * Deletes the files in `.local/logs/` (one per agent run, the emulator's and the deploy's per
 * port) not written to for `maxAgeMs`: every restart starts agents with new ids, so their logs
 * would otherwise pile up. Answers how many it deleted.
 */
export function pruneOldLogs(logsDir: string, maxAgeMs: number = LOCAL_LOG_RETENTION_MS, now: number = Date.now()): number {
  if (!existsSync(logsDir)) return 0;
  let deleted = 0;
  for (const name of readdirSync(logsDir)) {
    const file = path.join(logsDir, name);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && name.endsWith(".log") && now - stat.mtimeMs > maxAgeMs) {
      rmSync(file, { force: true });
      deleted += 1;
    }
  }
  return deleted;
}

/**
 * The most the emulator's CloudWatch Logs may hold, all groups together. It keeps every line
 * of every function in memory and in its saved state, writes a log stream per invocation, and
 * never applies a group's retention: about 4 MB of messages per 1,000 tasks here, and 20 MB of
 * messages take about 35 MB of its saved state.
 */
export const LOCAL_LOGS_MAX_BYTES = 20_000_000;

export interface TrimmedLogs {
  readonly deletedStreams: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

interface Group {
  readonly name: string;
  readonly retentionMs: number;
  bytes: number;
}

/**
 * Applies what CloudWatch Logs applies on AWS and the emulator does not: each group's retention
 * (`retentionInDays`, else a day), and, past `maxBytes` in all, the oldest streams of the
 * largest groups go first. Streams are read oldest first and only as far as needed.
 */
export async function trimLocalLogs(
  logs: CloudWatchLogsClient,
  options: { now?: number; maxBytes?: number } = {},
): Promise<TrimmedLogs> {
  const now = options.now ?? Date.now();
  const maxBytes = options.maxBytes ?? LOCAL_LOGS_MAX_BYTES;
  const groups: Group[] = [];
  for await (const page of paginateDescribeLogGroups({ client: logs }, {})) {
    for (const group of page.logGroups ?? []) {
      if (!group.logGroupName) continue;
      const days = group.retentionInDays;
      groups.push({
        name: group.logGroupName,
        retentionMs: days ? days * 24 * 3600 * 1_000 : LOCAL_LOG_RETENTION_MS,
        bytes: group.storedBytes ?? 0,
      });
    }
  }
  const bytesBefore = groups.reduce((sum, group) => sum + group.bytes, 0);
  let total = bytesBefore;
  let deletedStreams = 0;

  /** Deletes the group's oldest streams while `wanted` says so; answers whether it deleted any. */
  const trim = async (group: Group, wanted: (lastEventAt: number) => boolean): Promise<void> => {
    for (;;) {
      // Oldest first; after deletions the next oldest move to the front, so the first page is read again.
      const { logStreams = [] } = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName: group.name, orderBy: "LastEventTime", descending: false, limit: 50 }),
      );
      let deleted = 0;
      for (const stream of logStreams) {
        const lastEventAt = stream.lastEventTimestamp ?? stream.creationTime ?? 0;
        if (!stream.logStreamName || !wanted(lastEventAt)) break;
        await logs.send(new DeleteLogStreamCommand({ logGroupName: group.name, logStreamName: stream.logStreamName }));
        group.bytes -= stream.storedBytes ?? 0;
        total -= stream.storedBytes ?? 0;
        deleted += 1;
      }
      deletedStreams += deleted;
      if (deleted === 0 || deleted < logStreams.length) return;
    }
  };

  for (const group of groups) await trim(group, (lastEventAt) => now - lastEventAt > group.retentionMs);
  for (const group of [...groups].sort((a, b) => b.bytes - a.bytes)) {
    if (total <= maxBytes) break;
    await trim(group, () => total > maxBytes);
  }
  return { deletedStreams, bytesBefore, bytesAfter: total };
}
