import * as z from "zod";
import { withTimeout } from "#shared/concurrency";

/** One dependency the system cannot work without, and a cheap way to see that it answers. */
export interface HealthProbe {
  readonly name: string;
  check(): Promise<void>;
}

export const ComponentHealth = z.object({
  status: z.enum(["ok", "down"]),
  latencyMs: z.number(),
  /** The kind of failure (an error name), never its message: the route is public. */
  error: z.string().optional(),
});

export const HealthReport = z.object({
  status: z.enum(["ok", "degraded"]),
  checkedAt: z.iso.datetime(),
  components: z.record(z.string(), ComponentHealth),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** `GET /api/health`'s answer: the report, and which stage answered. */
export const HealthView = HealthReport.extend({ stage: z.string() }).meta({ id: "HealthReport" });

/**
 * Checks every probe in parallel, each within `timeoutMs`, and reports each component's
 * status and latency. One slow or failing dependency degrades the report; it never hangs it.
 *
 * @example
 * const report = await checkHealth([tasksTableProbe, busProbe], { timeoutMs: 2000, now: () => new Date() });
 */
export async function checkHealth(
  probes: readonly HealthProbe[],
  options: { timeoutMs: number; now: () => Date },
): Promise<HealthReport> {
  const entries = await Promise.all(
    probes.map(async (probe) => {
      const started = performance.now();
      try {
        await withTimeout(probe.check(), options.timeoutMs, probe.name);
        return [probe.name, { status: "ok" as const, latencyMs: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [
          probe.name,
          {
            status: "down" as const,
            latencyMs: Math.round(performance.now() - started),
            error: error instanceof Error ? error.name : "Error",
          },
        ] as const;
      }
    }),
  );
  const components = Object.fromEntries(entries);
  const status = entries.every(([, component]) => component.status === "ok") ? "ok" : "degraded";
  return { status, checkedAt: options.now().toISOString(), components };
}
