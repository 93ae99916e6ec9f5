import {
  CloudWatchLogsClient,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  type LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { trimLocalLogs } from "../../../scripts/local/local-growth";

const now = Date.parse("2026-12-01T12:00:00.000Z");
const hours = (n: number) => n * 3600 * 1_000;

const client = new CloudWatchLogsClient({ region: "us-east-1" });
const mock = mockClient(client);

/** Log groups as the emulator keeps them: a stream per invocation, oldest first when asked. */
let groups: Record<string, { retentionInDays?: number; streams: LogStream[] }>;
const stream = (name: string, ageHours: number, storedBytes: number): LogStream => ({
  logStreamName: name,
  lastEventTimestamp: now - hours(ageHours),
  storedBytes,
});

beforeEach(() => {
  mock.reset();
  groups = {
    "/aws/lambda/relay": {
      retentionInDays: 1,
      streams: [stream("r-old", 30, 100), stream("r-mid", 10, 300), stream("r-new", 1, 200)],
    },
    "/aws/lambda/submit": { streams: [stream("s-old", 25, 50), stream("s-new", 0.5, 50)] },
  };
  mock.on(DescribeLogGroupsCommand).callsFake(() => ({
    logGroups: Object.entries(groups).map(([logGroupName, group]) => ({
      logGroupName,
      ...(group.retentionInDays ? { retentionInDays: group.retentionInDays } : {}),
      storedBytes: group.streams.reduce((sum, s) => sum + (s.storedBytes ?? 0), 0),
    })),
  }));
  mock.on(DescribeLogStreamsCommand).callsFake(({ logGroupName, limit }) => ({
    logStreams: [...(groups[logGroupName]?.streams ?? [])]
      .sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0))
      .slice(0, limit),
  }));
  mock.on(DeleteLogStreamCommand).callsFake(({ logGroupName, logStreamName }) => {
    const group = groups[logGroupName];
    if (group) group.streams = group.streams.filter((s) => s.logStreamName !== logStreamName);
    return {};
  });
});

const left = () => Object.values(groups).flatMap((group) => group.streams.map((s) => s.logStreamName));

describe("trimLocalLogs", () => {
  it("deletes the streams past their group's retention (a day where none is set), as CloudWatch Logs does on AWS", async () => {
    expect(await trimLocalLogs(client, { now, maxBytes: 10_000 })).toEqual({
      deletedStreams: 2,
      bytesBefore: 700,
      bytesAfter: 550,
    });
    expect(left()).toEqual(["r-mid", "r-new", "s-new"]);
  });

  it("past the size bound, deletes the oldest streams of the largest groups first, and no more than needed", async () => {
    expect(await trimLocalLogs(client, { now, maxBytes: 300 })).toEqual({ deletedStreams: 3, bytesBefore: 700, bytesAfter: 250 });
    expect(left()).toEqual(["r-new", "s-new"]);
  });

  it("leaves logs within retention and size alone", async () => {
    groups = { "/aws/lambda/relay": { retentionInDays: 1, streams: [stream("r-new", 1, 200)] } };
    expect(await trimLocalLogs(client, { now, maxBytes: 10_000 })).toEqual({
      deletedStreams: 0,
      bytesBefore: 200,
      bytesAfter: 200,
    });
    expect(mock.commandCalls(DeleteLogStreamCommand)).toHaveLength(0);
  });
});
