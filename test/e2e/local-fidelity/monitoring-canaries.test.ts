/**
 * Canaries for what docs/local-fidelity.md says about alarms and SNS on the emulator. Each pins
 * one behaviour the monitoring e2e tests design around; when the emulator changes, the canary
 * fails and names what to revisit.
 */
import { CloudWatchClient, DescribeAlarmsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, outputs } from "../support/api";

let cloudwatch: CloudWatchClient;
let logs: CloudWatchLogsClient;
let lambda: LambdaClient;
let sns: SNSClient;
let sqs: SQSClient;
beforeAll(() => {
  const endpoint = outputs().endpoint;
  cloudwatch = new CloudWatchClient({ endpoint });
  logs = new CloudWatchLogsClient({ endpoint });
  lambda = new LambdaClient({ endpoint });
  sns = new SNSClient({ endpoint });
  sqs = new SQSClient({ endpoint });
});
afterAll(() => {
  for (const client of [cloudwatch, logs, lambda, sns, sqs]) client?.destroy();
});

describe("local fidelity canaries: alarms", () => {
  it("SQS publishes no AWS/SQS metrics, so dead-letter alarms never change state by themselves (e2e drives them with SetAlarmState)", async () => {
    const { Metrics = [] } = await cloudwatch.send(new ListMetricsCommand({ Namespace: "AWS/SQS" }));
    expect(Metrics, "the emulator now publishes SQS metrics: test the alarms with real dead letters").toEqual([]);
    // On AWS an idle dead-letter queue's alarm settles at OK (missing data is not breaching); here it is never evaluated.
    const untouched = outputs().DeadLetterAlarmNames["keyword-precision"].normal;
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [untouched] }));
    expect(MetricAlarms[0]?.StateValue, "alarms are evaluated now: an idle one should read OK").toBe("INSUFFICIENT_DATA");
  });

  it("SNS invokes a Lambda subscriber once, without Lambda's async retries or its on-failure destination", async () => {
    // GIVEN the relay's log group, read from now on
    const relay = outputs().AlarmRelayFunctionName;
    const { LoggingConfig } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: relay }));
    const since = Date.now() - 1_000;
    const logLines = async () => {
      const { events = [] } = await logs.send(
        new FilterLogEventsCommand({ logGroupName: LoggingConfig?.LogGroup ?? `/aws/lambda/${relay}`, startTime: since }),
      );
      return events.map((e) => e.message ?? "");
    };
    const invocations = async () => (await logLines()).filter((line) => line.startsWith("START RequestId")).length;

    // WHEN a message the relay cannot read is published to the alarm topic
    const nonce = `canary-${Date.now()}`;
    await sns.send(new PublishCommand({ TopicArn: outputs().AlarmTopicArn, Message: `not an alarm ${nonce}` }));

    // THEN SNS delivers it and the relay fails, naming the problem…
    await eventually(invocations, (n) => n >= 1, 20_000, "the relay's invocation by SNS");
    await eventually(
      logLines,
      (lines) => lines.some((line) => line.includes("InvalidAlarmNotificationError")),
      10_000,
      "the relay's failure",
    );
    // …and, past when Lambda's two retries would have run (1 s and 2 s apart here), neither retries nor keeps it
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(await invocations(), "SNS deliveries to Lambda are retried now").toBe(1);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: outputs().AlarmRelayFailuresQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 0,
      }),
    );
    expect(
      Messages.filter((m) => m.Body?.includes(nonce)),
      "failed SNS deliveries reach the on-failure destination now: test it through SNS",
    ).toEqual([]);
  });
});
