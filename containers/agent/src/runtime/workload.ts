import { cpuUsage, memoryUsage } from "node:process";

/** How many of the last task outcomes the error rate looks at. */
const ERROR_WINDOW = 20;

/**
 * What the agent reports with each heartbeat. CPU and memory are shares of what its task was
 * given (on Fargate, 0.25 vCPU and 512 MB), so 100% means the allocation is used up.
 */
export class WorkloadMeter {
  private lastCpu = cpuUsage();
  private lastAt = Date.now();
  private readonly outcomes: boolean[] = [];
  private completed = 0;
  private failed = 0;
  private sampled = false;

  constructor(
    private readonly cpuUnits: number,
    private readonly memoryMiB: number,
  ) {}

  recordOutcome(succeeded: boolean): void {
    this.outcomes.push(succeeded);
    if (this.outcomes.length > ERROR_WINDOW) this.outcomes.shift();
    if (succeeded) this.completed++;
    else this.failed++;
  }

  sample(currentTasks: number, maxConcurrentTasks: number) {
    const now = Date.now();
    const cpu = cpuUsage(this.lastCpu);
    const elapsedMicros = Math.max(1, (now - this.lastAt) * 1_000);
    this.lastCpu = cpuUsage();
    this.lastAt = now;
    const vcpus = this.cpuUnits / 1_024;
    // The first sample would charge start-up (loading, first connections) to the work: report none.
    const measured = this.sampled;
    this.sampled = true;
    const failures = this.outcomes.filter((ok) => !ok).length;
    return {
      currentTasks,
      maxConcurrentTasks,
      cpuPercent: measured ? Math.round(((cpu.user + cpu.system) / elapsedMicros / vcpus) * 1_000) / 10 : 0,
      memoryPercent: Math.round((memoryUsage.rss() / (this.memoryMiB * 1024 * 1024)) * 1_000) / 10,
      errorRate: this.outcomes.length === 0 ? 0 : failures / this.outcomes.length,
      tasksCompleted: this.completed,
      tasksFailed: this.failed,
    };
  }
}
