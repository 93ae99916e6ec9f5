// What a benchmark window cost in AWS terms, counted on the emulator rather than estimated:
// requests by service from the emulator's request log, and Lambda invocations (with their
// billed duration and memory) from the REPORT lines each invocation writes to its log group.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";

/** A point in the emulator's request log (`startEmulator({ requestLog: true })`). */
export type LogMark = number;

/** Where the emulator's log ends now; requests after this mark belong to what follows. */
export function markLog(logFile: string): LogMark {
  return statSync(logFile).size;
}

const SERVICE_LINE = /-> service=(\S+)/g;

/**
 * Requests the emulator served between two marks, by service (`sqs`, `dynamodb`, `events`,
 * `execute-api`, …). Each AWS request is one line: a `SendMessageBatch` counts once, as AWS bills it.
 */
export function requestsBetween(logFile: string, from: LogMark, to: LogMark): Record<string, number> {
  const length = Math.max(0, to - from);
  const buffer = Buffer.alloc(length);
  const fd = openSync(logFile, "r");
  try {
    readSync(fd, buffer, 0, length, from);
  } finally {
    closeSync(fd);
  }
  const counts: Record<string, number> = {};
  for (const match of buffer.toString("utf8").matchAll(SERVICE_LINE)) {
    const service = match[1] as string;
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

/** One function's invocations in a window. */
export interface FunctionInvocations {
  readonly invocations: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly gbSeconds: number;
}

const REPORT_LINE = /Billed Duration: (\d+(?:\.\d+)?) ms\s+Memory Size: (\d+) MB/;

/** A function and the log group its invocations write to. */
interface FunctionLog {
  readonly name: string;
  readonly group: string;
}

/**
 * Every function's log group. Each SwarmFunction logs to a group of its own (`LoggingConfig`),
 * not to `/aws/lambda/<name>`, so the groups are read from the functions rather than guessed
 * from a prefix (guessing found no REPORT lines at all).
 */
async function functionLogs(endpoint: string): Promise<FunctionLog[]> {
  const lambda = new LambdaClient({ endpoint, requestHandler: { requestTimeout: 60_000 } });
  try {
    const found: FunctionLog[] = [];
    for await (const page of paginateListFunctions({ client: lambda }, {})) {
      for (const fn of page.Functions ?? []) {
        if (!fn.FunctionName) continue;
        found.push({ name: fn.FunctionName, group: fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${fn.FunctionName}` });
      }
    }
    return found;
  } finally {
    lambda.destroy();
  }
}

/** Every Lambda invocation that started in [from, to] (epoch ms), by function name. */
export async function lambdaInvocationsBetween(
  endpoint: string,
  from: number,
  to: number,
): Promise<Record<string, FunctionInvocations>> {
  const functions = await functionLogs(endpoint);
  const logs = new CloudWatchLogsClient({ endpoint, requestHandler: { requestTimeout: 60_000 } });
  try {
    const result: Record<string, FunctionInvocations> = {};
    for (const { name, group } of functions) {
      let invocations = 0;
      let billedMs = 0;
      let memoryMb = 0;
      let token: string | undefined;
      do {
        let page: FilterLogEventsCommandOutput;
        try {
          page = await logs.send(
            new FilterLogEventsCommand({
              logGroupName: group,
              filterPattern: '"REPORT RequestId"',
              startTime: from,
              endTime: to,
              nextToken: token,
            }),
          );
        } catch (error) {
          // A function that was never invoked may have no log group yet: it ran zero times.
          if (error instanceof ResourceNotFoundException) break;
          throw error;
        }
        for (const event of page.events ?? []) {
          const match = REPORT_LINE.exec(event.message ?? "");
          if (!match) continue;
          invocations++;
          billedMs += Number(match[1]);
          memoryMb = Number(match[2]);
        }
        token = page.nextToken;
      } while (token);
      if (invocations === 0) continue;
      result[name] = {
        invocations,
        billedMs: Math.round(billedMs),
        memoryMb,
        gbSeconds: Math.round((billedMs / 1000) * (memoryMb / 1024) * 1000) / 1000,
      };
    }
    return result;
  } finally {
    logs.destroy();
  }
}

/** Figures per task, rounded to two decimals. */
export function perTask(counts: Record<string, number>, tasks: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, Math.round((value / tasks) * 100) / 100]));
}
