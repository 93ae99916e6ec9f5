import { envContract, envVar } from "#shared/env-contract";

/**
 * The variables the realtime functions read, one contract per concern: the realtime stack
 * writes each with `toEnvironment` (or `addEnvironment` of its entries) and `functions/realtime`
 * reads it with `read`, so a key renamed on one side breaks the typecheck, not a cold start. The
 * connections table's is published (`ConnectionsTableEnvironment`): monitoring reads it too.
 */

/** What `$connect` verifies a caller's token against, and how many connections one user may hold. */
export const ConnectEnvironment = envContract({
  JWT_ISSUER: envVar.url(),
  JWT_JWKS_URI: envVar.url(),
  USER_POOL_CLIENT_ID: envVar.name(),
  CONNECTIONS_PER_USER: envVar.int({ min: 1 }),
});

/** The stage's @connections endpoint. */
export const CallbackEnvironment = envContract({ WS_CALLBACK_URL: envVar.url() });

/** The event sequences, history and delivery counters. */
export const EventsTableEnvironment = envContract({ EVENTS_TABLE: envVar.name() });

/** The events table and how long recorded events are kept for replay. */
export const EventHistoryEnvironment = EventsTableEnvironment.and(
  envContract({ EVENT_RETENTION_SECONDS: envVar.int({ min: 1 }) }),
);

/** A client's frames: a token bucket per connection (above zero per second, a whole burst). */
export const RateLimitEnvironment = envContract({
  RATE_LIMIT_PER_SECOND: envVar.number({ min: Number.MIN_VALUE }),
  RATE_LIMIT_BURST: envVar.int({ min: 1 }),
});

/** The queue large rooms' presence summaries are scheduled on (ADR 0022). */
export const PresenceQueueEnvironment = envContract({ PRESENCE_QUEUE_URL: envVar.url() });
