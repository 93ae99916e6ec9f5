import type { Agent } from "#agents/domain/agent";

/** A healthy agent that last spoke at `heartbeatAt`; override what the test is about. */
export function anAgent(overrides: Partial<Agent> = {}): Agent {
  return {
    agentId: "dq-1",
    agentType: "data-quality",
    capabilities: ["diagnostics"],
    status: "healthy",
    registeredAt: "2026-11-23T10:00:00.000Z",
    heartbeatAt: "2026-11-23T10:00:00.000Z",
    heartbeatIntervalSeconds: 10,
    workload: {
      currentTasks: 0,
      maxConcurrentTasks: 3,
      cpuPercent: 10,
      memoryPercent: 30,
      errorRate: 0,
      tasksCompleted: 5,
      tasksFailed: 0,
    },
    version: 1,
    ...overrides,
  };
}
