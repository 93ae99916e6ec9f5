import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { jsonText } from "#shared/json-text";
import { type DomainEvent, EVENT_SOURCES } from "#kernel/bus/domain-event";
import { Priority } from "#kernel/task-vocabulary";
import { SYSTEM_ALERT, SystemAlert } from "#kernel/bus/system-alert";

export const AlarmState = z.enum(["ALARM", "OK", "INSUFFICIENT_DATA"]);
export type AlarmState = z.infer<typeof AlarmState>;

/** CloudWatch writes dimensions as `{name, value}`; templates (and so the emulator) as `{Name, Value}`. */
const Dimension = z.union([
  z.object({ name: z.string(), value: z.string() }),
  z.object({ Name: z.string(), Value: z.string() }).transform((d) => ({ name: d.Name, value: d.Value })),
]);

/** A time CloudWatch writes as `2026-11-23T10:00:00.000+0000`: any form `Date.parse` reads, kept as ISO. */
const Instant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: "is not a date and time" })
  .transform((text) => new Date(Date.parse(text)).toISOString());

/**
 * The JSON CloudWatch puts in the SNS message when an alarm changes state (the fields we read;
 * others are ignored, as AWS adds fields over time).
 */
export const AlarmNotification = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  NewStateValue: AlarmState,
  OldStateValue: AlarmState.optional(),
  NewStateReason: z.string(),
  StateChangeTime: Instant,
  Trigger: z
    .object({
      MetricName: z.string().optional(),
      Namespace: z.string().optional(),
      Dimensions: z.array(Dimension).optional(),
    })
    .optional(),
});
export type AlarmNotification = z.infer<typeof AlarmNotification>;

/**
 * The SNS event Lambda receives (the parts we read). On AWS it carries one record; each is
 * parsed, so none is skipped.
 */
export const AlarmSnsEvent = z.object({
  Records: z
    .array(
      z.object({
        Sns: z.object({
          MessageId: z.string().min(1),
          Message: jsonText(AlarmNotification),
        }),
      }),
    )
    .min(1),
});

/** Raised for an SNS event that is not a CloudWatch alarm notification; it names each bad field. */
export class InvalidAlarmNotificationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`not a CloudWatch alarm notification: ${issues.join("; ")}`);
    this.name = "InvalidAlarmNotificationError";
  }
}

/**
 * The alarm notifications in an SNS event.
 *
 * @throws InvalidAlarmNotificationError when any record is not one: the invocation fails, so
 * Lambda retries it and then keeps it on the failure destination instead of dropping it.
 * @example
 * const notifications = parseAlarmNotifications(event);
 */
export function parseAlarmNotifications(event: unknown): AlarmNotification[] {
  const parsed = AlarmSnsEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidAlarmNotificationError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`),
    );
  }
  return parsed.data.Records.map((record) => record.Sns.Message);
}

/**
 * The name of the alarm on a work queue's dead-letter queue. The stack names its alarms with it
 * and the relay reads the agent type and priority back, so the two cannot drift apart.
 */
export const deadLetterAlarmName = (stage: string, agentType: AgentType, priority: Priority) =>
  `tge-swarm-${stage}-dead-letters-${agentType}-${priority}`;

const DEAD_LETTER_ALARM = /^tge-swarm-[a-z0-9]+-dead-letters-(?<agentType>[a-z-]+)-(?<priority>[a-z]+)$/;

/** The queue a dead-letter alarm watches, or undefined for any other alarm. */
export function deadLetterQueueOf(alarmName: string): { agentType: AgentType; priority: Priority } | undefined {
  const groups = DEAD_LETTER_ALARM.exec(alarmName)?.groups;
  const agentType = AgentType.safeParse(groups?.agentType);
  const priority = Priority.safeParse(groups?.priority);
  return agentType.success && priority.success ? { agentType: agentType.data, priority: priority.data } : undefined;
}

/**
 * A `SystemAlert` raised by a CloudWatch alarm: the same detail as every other system alert
 * (so the dashboard shows it the same way), plus the alarm's name, its new state and why.
 */
export const AlarmAlert = SystemAlert.extend({
  alarmName: z.string().min(1),
  state: AlarmState,
  reason: z.string(),
});
export type AlarmAlert = z.infer<typeof AlarmAlert>;

/**
 * How loud an alarm's state change is: dead letters of critical or high priority work are
 * critical, any other alarm a warning; back to OK (or without data) is information.
 */
export function severityOf(state: AlarmState, queue: { priority: Priority } | undefined): AlarmAlert["severity"] {
  if (state !== "ALARM") return "info";
  return queue && (queue.priority === "critical" || queue.priority === "high") ? "critical" : "warning";
}

const WHAT: Record<AlarmState, string> = { ALARM: "in alarm", OK: "back to OK", INSUFFICIENT_DATA: "without data" };

/** The `SystemAlert` event an alarm's state change calls for. */
export function alarmAlertFor(notification: AlarmNotification): DomainEvent<AlarmAlert> {
  const { AlarmName: alarmName, NewStateValue: state, NewStateReason: reason } = notification;
  const queue = deadLetterQueueOf(alarmName);
  const trigger = notification.Trigger;
  const resource: Record<string, string> = {
    alarmName,
    ...(queue ?? {}),
    ...(trigger?.Namespace && trigger.MetricName ? { metric: `${trigger.Namespace}/${trigger.MetricName}` } : {}),
    ...Object.fromEntries((trigger?.Dimensions ?? []).map((d) => [d.name, d.value])),
  };
  const title = queue
    ? state === "ALARM"
      ? `Dead letters waiting on ${queue.agentType}/${queue.priority}`
      : `Dead-letter queue of ${queue.agentType}/${queue.priority} ${WHAT[state]}`
    : `Alarm ${alarmName} ${WHAT[state]}`;
  return {
    source: EVENT_SOURCES.monitoring,
    detailType: SYSTEM_ALERT,
    detail: {
      severity: severityOf(state, queue),
      source: "monitoring",
      title,
      message: `${alarmName} is ${WHAT[state]}${notification.OldStateValue ? ` (was ${notification.OldStateValue})` : ""}: ${reason}`,
      resource,
      raisedAt: notification.StateChangeTime,
      alarmName,
      state,
      reason,
    },
  };
}
