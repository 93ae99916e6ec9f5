import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import { PUBLISHED_DETAIL_TYPES } from "#kernel/bus/catalog";
import type { EventSource } from "#kernel/bus/domain-event";

/**
 * PutEvents on the swarm bus for entries of the publisher's own source and detail types only:
 * IAM checks each entry's `Source` against `events:source` and its `DetailType` against
 * `events:detail-type`, so a context's function or agent cannot speak for another (an agent's
 * role cannot put a `SystemAlert` as monitoring, nor a room message as the dashboard's back end),
 * nor put a type its own context never announces (a detection agent cannot put a `SystemAlert`
 * the dashboard would show). Replaces `bus.grantPutEventsTo`, which allows any entry.
 *
 * @example
 * grantPublish(props.bus, relay, EVENT_SOURCES.tasks);
 */
export function grantPublish(bus: events.IEventBus, grantee: iam.IGrantable, source: EventSource): iam.Grant {
  const detailTypes = PUBLISHED_DETAIL_TYPES[source];
  if (detailTypes.length === 0) throw new Error(`${source} publishes no detail type (PUBLISHED_DETAIL_TYPES): nothing to grant`);
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ["events:PutEvents"],
    resourceArns: [bus.eventBusArn],
    conditions: { StringEquals: { "events:source": source, "events:detail-type": [...detailTypes] } },
  });
}
