import { alarmAlertFor, parseAlarmNotifications } from "#monitoring/domain/alarm-alerts";
import { instrumented } from "#shared/instrumented";
import { logger } from "#shared/powertools";
import { publisher } from "./wiring";

/**
 * CloudWatch alarm notifications, from the alarm topic: each state change becomes a
 * `SystemAlert` on the bus, which the dashboard shows as `system_alert`. A message that is not
 * an alarm notification fails the invocation, naming what is wrong, so Lambda retries it and
 * then keeps it on the failure queue: it is never dropped.
 */
export const handler = instrumented(
  async (event: unknown) => {
    const alerts = parseAlarmNotifications(event).map(alarmAlertFor);
    await publisher().publish(alerts);
    for (const alert of alerts) logger.info("alarm relayed", { alarmName: alert.detail.alarmName, state: alert.detail.state });
    return { relayed: alerts.map((alert) => ({ alarmName: alert.detail.alarmName, state: alert.detail.state })) };
  },
  (result) => ({ relayed: result.relayed.length }),
);
