import * as z from "zod";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";
import { envContract, envVar } from "#shared/env-contract";

const QueueUrlsByPriority = z.object(
  Object.fromEntries(PRIORITIES.map((priority) => [priority, z.url()])) as Record<Priority, z.ZodURL>,
);

/** The variable a process that reads the agent registry (`fleetFigures`, the agent functions) is given it in. */
export const AgentsTableEnvironment = envContract({ AGENTS_TABLE: envVar.name() });

/**
 * What every agent container is started with, declared once: `AgentService` writes it into the
 * task definition with `toEnvironment` (the local fleet runner starts processes from that same
 * definition), and the agent reads it with `read` at start, failing at once on a missing or bad
 * variable. No defaults on either side: the construct sets every one.
 */
export const AgentEnvironment = envContract({
  AGENT_TYPE: envVar.oneOf(AGENT_TYPES),
  ...AgentsTableEnvironment.vars,
  TASKS_TABLE: envVar.name(),
  /** This agent type's four queue URLs, by priority. */
  WORK_QUEUE_URLS: envVar.json(QueueUrlsByPriority),
  /** Tasks one agent runs at once (the runtime settings may lower it, never raise it). */
  MAX_CONCURRENT_TASKS: envVar.int({ min: 1, max: 50 }),
  HEARTBEAT_INTERVAL_SECONDS: envVar.int({ min: 1, max: 300 }),
  /** The queues' visibility timeout (a multiple of the heartbeat interval). */
  VISIBILITY_TIMEOUT_SECONDS: envVar.int({ min: 1, max: 43_200 }),
  LONG_POLL_SECONDS: envVar.int({ min: 1, max: 20 }),
  /** A claim lapses after this long without a heartbeat. */
  LEASE_SECONDS: envVar.int({ min: 3, max: 3_600 }),
  MAX_RECEIVE_COUNT: envVar.int({ min: 1, max: 100 }),
  RETRY_BASE_DELAY_SECONDS: envVar.int({ min: 0, max: 900 }),
  RETRY_MAX_DELAY_SECONDS: envVar.int({ min: 0, max: 900 }),
  QUEUED_TTL_SECONDS: envVar.int({ min: 1 }),
  /** How long running tasks get to finish after SIGTERM (ECS waits its stop timeout before SIGKILL). */
  STOP_GRACE_SECONDS: envVar.int({ min: 1, max: 120 }),
});
