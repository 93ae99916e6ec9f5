import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { AlarmAlert } from "#monitoring/domain/alarm-alerts";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { eventually, outputs, tokenFor } from "../support/api";
import { invokeFunction } from "../support/fleet";
import { PRIORITIES } from "#kernel/task-vocabulary";

describe("dead-letter alarms", () => {
  let client: WsClient;
  let cloudwatch: CloudWatchClient;
  let alarmName: string;
  /** Tells this run's alerts from any other's. */
  const nonce = `e2e-${Date.now()}`;
  const setState = (StateValue: "ALARM" | "OK", why: string) =>
    cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue, StateReason: `${why} (${nonce})` }));
  const alertFor = (state: string) => (f: Frame) =>
    f.type === "system_alert" &&
    f.data.alarmName === alarmName &&
    f.data.state === state &&
    String(f.data.reason).includes(nonce);

  beforeAll(async () => {
    cloudwatch = new CloudWatchClient({ endpoint: outputs().endpoint });
    alarmName = outputs().DeadLetterAlarmNames["data-quality"].critical;
    client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["alerts"]);
  });
  afterAll(async () => {
    client?.close();
    // Leave the alarm as an idle queue's would be.
    await setState("OK", "e2e cleanup").catch(() => undefined);
    cloudwatch?.destroy();
  });

  it("exist for every work queue's dead-letter queue, notifying on ALARM and OK", async () => {
    const names = AGENT_TYPES.flatMap((type) => PRIORITIES.map((p) => outputs().DeadLetterAlarmNames[type][p]));
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    expect(MetricAlarms.map((a) => a.AlarmName).sort()).toEqual([...names].sort());
    for (const alarm of MetricAlarms) {
      expect(alarm, alarm.AlarmName).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        AlarmActions: [outputs().AlarmTopicArn],
        OKActions: [outputs().AlarmTopicArn],
      });
    }
  });

  it("an alarm going to ALARM reaches alerts subscribers as a critical system_alert naming it; back to OK as info", async () => {
    // WHEN the alarm on data-quality's critical dead-letter queue fires
    await setState("ALARM", "Threshold Crossed: 1 message on the dead-letter queue");

    // THEN the dashboard shows a critical alert naming the alarm, its queue and why
    const raised = await client.waitFor(alertFor("ALARM"), 20_000, `system_alert ALARM for ${alarmName}`);
    const alert = AlarmAlert.parse(raised.data);
    expect(alert).toMatchObject({
      severity: "critical",
      source: "monitoring",
      title: "Dead letters waiting on data-quality/critical",
      alarmName,
      state: "ALARM",
      reason: expect.stringContaining("Threshold Crossed"),
      resource: { alarmName, agentType: "data-quality", priority: "critical" },
    });
    expect(Date.parse(alert.raisedAt)).toBeGreaterThan(Date.now() - 60_000);

    // WHEN it clears, THEN the dashboard hears that too
    await setState("OK", "No messages on the dead-letter queue");
    const cleared = await client.waitFor(alertFor("OK"), 20_000, `system_alert OK for ${alarmName}`);
    expect(cleared.data).toMatchObject({ severity: "info", state: "OK", alarmName });
    expect(Number(cleared.seq)).toBeGreaterThan(Number(raised.seq));
  });

  it("a notification that is not an alarm's fails the relay, naming the field, instead of vanishing", async () => {
    const bad = {
      Records: [{ Sns: { MessageId: "m-1", Message: JSON.stringify({ AlarmName: alarmName, NewStateValue: "RINGING" }) } }],
    };
    await expect(invokeFunction(outputs().AlarmRelayFunctionName, bad)).rejects.toThrow(
      /InvalidAlarmNotificationError|not a CloudWatch alarm notification/,
    );
    await expect(invokeFunction(outputs().AlarmRelayFunctionName, bad)).rejects.toThrow(/NewStateValue/);
  });

  it("invoked as SNS invokes it (asynchronously), a bad notification is retried, then kept on the failure queue", async () => {
    // GIVEN a notification the relay cannot read, marked with this run's nonce
    const bad = { Records: [{ Sns: { MessageId: nonce, Message: "the alarm is ringing" } }] };
    const lambda = new LambdaClient({ endpoint: outputs().endpoint });
    const sqs = new SQSClient({ endpoint: outputs().endpoint });
    try {
      // WHEN it is delivered the way SNS delivers on AWS
      await lambda.send(
        new InvokeCommand({
          FunctionName: outputs().AlarmRelayFunctionName,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify(bad)),
        }),
      );

      // THEN, once the retries are spent, the failure queue holds it, with the error that names the field
      const QueueUrl = outputs().AlarmRelayFailuresQueueUrl;
      const kept: Message[] = [];
      await eventually(
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1 }),
          );
          kept.push(...Messages.filter((m) => m.Body?.includes(nonce)));
          return kept.length;
        },
        (n) => n > 0,
        45_000,
        "the bad notification on the failure queue",
      );
      const record = JSON.parse(kept[0]?.Body ?? "{}") as {
        requestContext: { condition: string };
        requestPayload: typeof bad;
        responsePayload: { errorType?: string; errorMessage?: string };
      };
      expect(record.requestContext.condition).toBe("RetriesExhausted");
      expect(record.requestPayload).toEqual(bad);
      expect(JSON.stringify(record.responsePayload)).toMatch(/not a CloudWatch alarm notification.*Message: is not valid JSON/);
      for (const message of kept) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    } finally {
      lambda.destroy();
      sqs.destroy();
    }
  });
});
