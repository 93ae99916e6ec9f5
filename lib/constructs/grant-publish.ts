import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type { EventSource } from "#kernel/bus/domain-event";

/**
 * PutEvents on the swarm bus for entries of the publisher's own source only: IAM checks each
 * entry's `Source` against `events:source`, so a context's function or agent cannot speak for
 * another (an agent's role cannot put a `SystemAlert` as monitoring, nor a room message as the
 * dashboard's back end). Replaces `bus.grantPutEventsTo`, which allows any source.
 *
 * @example
 * grantPublish(props.bus, relay, EVENT_SOURCES.tasks);
 */
export function grantPublish(bus: events.IEventBus, grantee: iam.IGrantable, source: EventSource): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ["events:PutEvents"],
    resourceArns: [bus.eventBusArn],
    conditions: { StringEquals: { "events:source": source } },
  });
}
