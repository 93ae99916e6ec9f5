import { envContract, envVar } from "#shared/env-contract";

/**
 * The variable a process that reads the WebSocket connections table is given its name in: the
 * realtime functions, and monitoring's health check (which probes the table).
 */
export const ConnectionsTableEnvironment = envContract({ CONNECTIONS_TABLE: envVar.name() });
