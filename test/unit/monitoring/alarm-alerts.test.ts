import { describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import {
  AlarmAlert,
  alarmAlertFor,
  deadLetterAlarmName,
  deadLetterQueueOf,
  InvalidAlarmNotificationError,
  parseAlarmNotifications,
  severityOf,
} from "#monitoring/domain/alarm-alerts";
import { systemAlertFor } from "#tasks/domain/task-events";
import { aTask } from "../../support/tasks";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { PRIORITIES } from "#kernel/task-vocabulary";
import { SYSTEM_ALERT, SystemAlert } from "#kernel/bus/system-alert";

const alarmName = deadLetterAlarmName("local", "data-quality", "critical");

/** The message CloudWatch publishes on AWS (as documented, trimmed of fields we do not read). */
function awsMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlarmName: alarmName,
    AlarmDescription: "Messages on the dead-letter queue of data-quality/critical work",
    AWSAccountId: "123456789012",
    AlarmConfigurationUpdatedTimestamp: "2026-11-23T09:00:00.000+0000",
    NewStateValue: "ALARM",
    NewStateReason: "Threshold Crossed: 1 datapoint [2.0 (23/11/26 09:59:00)] was greater than or equal to the threshold (1.0).",
    StateChangeTime: "2026-11-23T10:00:00.123+0000",
    Region: "US East (N. Virginia)",
    AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`,
    OldStateValue: "OK",
    Trigger: {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Namespace: "AWS/SQS",
      StatisticType: "Statistic",
      Statistic: "MAXIMUM",
      Unit: null,
      Dimensions: [{ value: "tge-swarm-local-tasks-dataqualityDlq", name: "QueueName" }],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1.0,
      TreatMissingData: "notBreaching",
    },
    ...overrides,
  };
}

/** The SNS event Lambda receives, one record per message. */
const snsEvent = (...messages: unknown[]) => ({
  Records: messages.map((message, i) => ({
    EventSource: "aws:sns",
    EventVersion: "1.0",
    EventSubscriptionArn: "arn:aws:sns:us-east-1:123456789012:alarms:sub",
    Sns: {
      Type: "Notification",
      MessageId: `message-${i}`,
      TopicArn: "arn:aws:sns:us-east-1:123456789012:alarms",
      Subject: `ALARM: "${alarmName}" in US East (N. Virginia)`,
      Message: typeof message === "string" ? message : JSON.stringify(message),
      Timestamp: "2026-11-23T10:00:00.500Z",
    },
  })),
});

/** The one notification in an SNS event of one message. */
function onlyNotification(message: unknown) {
  const notifications = parseAlarmNotifications(snsEvent(message));
  expect(notifications).toHaveLength(1);
  return notifications[0] as (typeof notifications)[number];
}

describe("parseAlarmNotifications", () => {
  it("reads CloudWatch's message as AWS writes it, time zone offset included", () => {
    const [notification] = parseAlarmNotifications(snsEvent(awsMessage()));
    expect(notification).toMatchObject({
      AlarmName: alarmName,
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      StateChangeTime: "2026-11-23T10:00:00.123Z",
      Trigger: { Dimensions: [{ name: "QueueName", value: "tge-swarm-local-tasks-dataqualityDlq" }] },
    });
  });

  it("reads the emulator's message too (dimensions as the template wrote them, fewer fields)", () => {
    const emulator = {
      AlarmName: alarmName,
      AlarmDescription: "",
      AWSAccountId: "000000000000",
      NewStateValue: "OK",
      NewStateReason: "e2e",
      StateChangeTime: "2026-11-23T10:00:00.000Z",
      Region: "us-east-1",
      OldStateValue: "ALARM",
      Trigger: {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Dimensions: [{ Name: "QueueName", Value: "q" }],
      },
    };
    expect(parseAlarmNotifications(snsEvent(emulator))[0]?.Trigger?.Dimensions).toEqual([{ name: "QueueName", value: "q" }]);
  });

  it("reads every record, not only the first", () => {
    const notifications = parseAlarmNotifications(snsEvent(awsMessage(), awsMessage({ NewStateValue: "OK" })));
    expect(notifications.map((n) => n.NewStateValue)).toEqual(["ALARM", "OK"]);
  });

  it.each([
    ["a message that is not JSON", snsEvent("Your alarm is ringing"), "Records.0.Sns.Message: is not valid JSON"],
    ["an unknown state", snsEvent(awsMessage({ NewStateValue: "RINGING" })), "Records.0.Sns.Message.NewStateValue"],
    ["no alarm name", snsEvent(awsMessage({ AlarmName: undefined })), "Records.0.Sns.Message.AlarmName"],
    ["a time that is not one", snsEvent(awsMessage({ StateChangeTime: "yesterday" })), "StateChangeTime: is not a date and time"],
    ["a bad second record", snsEvent(awsMessage(), { hello: "sns" }), "Records.1.Sns.Message.AlarmName"],
    ["no records", { Records: [] }, "Records"],
    ["something else entirely", { "detail-type": "Scheduled Event" }, "Records"],
  ])("refuses %s, naming what is wrong", (_, event, named) => {
    expect(() => parseAlarmNotifications(event)).toThrow(InvalidAlarmNotificationError);
    expect(() => parseAlarmNotifications(event)).toThrow(named);
  });
});

describe("dead-letter alarm names", () => {
  it("name every work queue's alarm distinctly, and are read back to the same queue", () => {
    const names = new Set<string>();
    for (const agentType of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const name = deadLetterAlarmName("prod", agentType, priority);
        names.add(name);
        expect(deadLetterQueueOf(name)).toEqual({ agentType, priority });
        // CloudWatch alarm names are at most 255 characters.
        expect(name.length).toBeLessThanOrEqual(255);
      }
    }
    expect(names.size).toBe(AGENT_TYPES.length * PRIORITIES.length);
  });

  it("are not mistaken in other alarms", () => {
    expect(deadLetterQueueOf("tge-swarm-prod-dead-letters-unknown-type-critical")).toBeUndefined();
    expect(deadLetterQueueOf("tge-swarm-prod-dead-letters-data-quality-urgent")).toBeUndefined();
    expect(deadLetterQueueOf("BroadcasterErrors")).toBeUndefined();
  });
});

describe("severityOf", () => {
  it("is critical for dead letters of critical or high work, a warning for the rest, information when it clears", () => {
    expect(severityOf("ALARM", { priority: "critical" })).toBe("critical");
    expect(severityOf("ALARM", { priority: "high" })).toBe("critical");
    expect(severityOf("ALARM", { priority: "normal" })).toBe("warning");
    expect(severityOf("ALARM", { priority: "low" })).toBe("warning");
    expect(severityOf("ALARM", undefined)).toBe("warning");
    expect(severityOf("OK", { priority: "critical" })).toBe("info");
    expect(severityOf("INSUFFICIENT_DATA", undefined)).toBe("info");
  });
});

describe("alarmAlertFor", () => {
  it("raises a critical SystemAlert from the monitoring source, naming the alarm, its state and why", () => {
    const event = alarmAlertFor(onlyNotification(awsMessage()));

    expect(event.source).toBe(EVENT_SOURCES.monitoring);
    expect(event.detailType).toBe(SYSTEM_ALERT);
    expect(event.detail).toEqual({
      severity: "critical",
      source: "monitoring",
      title: "Dead letters waiting on data-quality/critical",
      message: expect.stringContaining(`${alarmName} is in alarm (was OK): Threshold Crossed`),
      resource: {
        alarmName,
        agentType: "data-quality",
        priority: "critical",
        metric: "AWS/SQS/ApproximateNumberOfMessagesVisible",
        QueueName: "tge-swarm-local-tasks-dataqualityDlq",
      },
      raisedAt: "2026-11-23T10:00:00.123Z",
      alarmName,
      state: "ALARM",
      reason: expect.stringContaining("Threshold Crossed"),
    });
  });

  it("keeps the shape of every other SystemAlert (the dead-lettered task's), adding only the alarm's fields", () => {
    const alert = alarmAlertFor(onlyNotification(awsMessage({ NewStateValue: "OK", OldStateValue: "ALARM" }))).detail;
    const taskAlert = systemAlertFor(aTask(), aTask({ status: "dead_lettered" }))?.detail;

    expect(AlarmAlert.parse(alert)).toEqual(alert);
    const common = Object.keys(SystemAlert.parse(alert)).sort();
    expect(common).toEqual(Object.keys(taskAlert ?? {}).sort());
    expect(
      Object.keys(alert)
        .filter((key) => !common.includes(key))
        .sort(),
    ).toEqual(["alarmName", "reason", "state"]);
    expect(alert).toMatchObject({
      severity: "info",
      state: "OK",
      title: "Dead-letter queue of data-quality/critical back to OK",
    });
  });

  it("still raises a warning for an alarm it does not know", () => {
    const notification = onlyNotification(
      awsMessage({ AlarmName: "someone-elses-alarm", Trigger: undefined, OldStateValue: undefined }),
    );
    expect(alarmAlertFor(notification).detail).toMatchObject({
      severity: "warning",
      title: "Alarm someone-elses-alarm in alarm",
      resource: { alarmName: "someone-elses-alarm" },
    });
  });
});
