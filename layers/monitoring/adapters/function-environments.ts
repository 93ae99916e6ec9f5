import { AgentsTableEnvironment } from "#agents/published/agent-environment";
import { ConnectionsTableEnvironment } from "#realtime/published/connections-environment";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { WorkQueuesEnvironment } from "#tasks/published/queue-urls";
import { TasksTableEnvironment, TasksTablesEnvironment } from "#tasks/published/tables-environment";
import { envContract, envVar } from "#shared/env-contract";

/** The table the snapshot's points are kept in, and `GET /api/metrics/system` reads. */
export const MetricsHistoryEnvironment = envContract({ METRICS_HISTORY_TABLE: envVar.name() });

/**
 * What the monitoring functions read, composed of the contracts the owning contexts publish (the
 * tasks tables and work queues, the agent registry, the connections table, the bus): the
 * monitoring stack writes them with `toEnvironment`, `functions/monitoring` reads them with `read`.
 */

/** What `GET /api/health` probes: the tasks and connections tables, the work queues, the bus. */
export const HealthProbesEnvironment = TasksTableEnvironment.and(ConnectionsTableEnvironment)
  .and(EventBusEnvironment)
  .and(WorkQueuesEnvironment);

/**
 * What the metrics snapshot reads: the task views (both tasks tables, the work queues; the
 * dead-letter queues are found through each work queue's redrive policy), the fleet and the
 * WebSocket connections.
 */
export const SnapshotSourcesEnvironment = TasksTablesEnvironment.and(AgentsTableEnvironment)
  .and(WorkQueuesEnvironment)
  .and(ConnectionsTableEnvironment);
