import uPlot from "uplot";
import type { SystemMetricsView, SystemPoint } from "#monitoring/published/system-metrics";
import { PRIORITIES } from "#kernel/task-vocabulary";
import { h } from "../dom";

/** One chart: what it plots from each point, series by series. */
interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly {
    readonly label: string;
    readonly color: string;
    readonly value: (p: SystemPoint) => number | null;
  }[];
}

const LIVE_STATUSES = ["healthy", "degraded", "unhealthy", "starting", "stopping"] as const;
const PRIORITY_COLORS = { critical: "#c0392b", high: "#e67e22", normal: "#2e86c1", low: "#7f8c8d" } as const;
const STATUS_COLORS = {
  healthy: "#27ae60",
  degraded: "#f1c40f",
  unhealthy: "#c0392b",
  starting: "#2e86c1",
  stopping: "#7f8c8d",
} as const;

/** The four charts issue 14 names: throughput, queue depth by priority, task latency, agents by status. */
export const CHARTS: readonly ChartSpec[] = [
  {
    id: "throughput",
    title: "Throughput",
    unit: "tasks/min",
    series: [{ label: "completed", color: "#27ae60", value: (p) => p.throughputPerMinute }],
  },
  {
    id: "queue-depth",
    title: "Queue depth by priority",
    unit: "messages",
    series: PRIORITIES.map((priority) => ({
      label: priority,
      color: PRIORITY_COLORS[priority],
      value: (p: SystemPoint) => p.queueDepth[priority],
    })),
  },
  {
    id: "latency",
    title: "Task latency",
    unit: "ms",
    series: [
      { label: "queued → started", color: "#8e44ad", value: (p) => p.averageQueueTimeMs },
      { label: "started → finished", color: "#2e86c1", value: (p) => p.averageExecutionTimeMs },
    ],
  },
  {
    id: "agents",
    title: "Agents by status",
    unit: "agents",
    series: LIVE_STATUSES.map((status) => ({
      label: status,
      color: STATUS_COLORS[status],
      value: (p: SystemPoint) => p.agents[status],
    })),
  },
];

/** uPlot's columns for one chart: seconds since the epoch, then a column per series. */
export function chartData(spec: ChartSpec, series: readonly SystemPoint[]): uPlot.AlignedData {
  return [series.map((point) => Date.parse(point.at) / 1_000), ...spec.series.map((s) => series.map((point) => s.value(point)))];
}

const percent = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)}%`);
const ms = (value: number | null) => (value === null ? "—" : `${value} ms`);

function summaryOf(view: SystemMetricsView): HTMLElement {
  const { summary } = view;
  const figure = (label: string, value: string) => h("div", { class: "figure" }, h("dt", {}, label), h("dd", {}, value));
  return h(
    "dl",
    { class: "system-summary", "data-minutes": String(summary.minutes) },
    figure("completed", `${summary.throughput.completed} (${summary.throughput.perMinuteMean}/min)`),
    figure("queue wait p50 / p95", `${ms(summary.queueTimeMs.p50)} / ${ms(summary.queueTimeMs.p95)}`),
    figure("run time p50 / p95", `${ms(summary.executionTimeMs.p50)} / ${ms(summary.executionTimeMs.p95)}`),
    figure("error rate", percent(summary.errorRate)),
    figure("slots in use", `${percent(summary.utilization.current)} (mean ${percent(summary.utilization.mean)})`),
    figure("queued now / max", `${summary.queueDepth.current} / ${summary.queueDepth.max}`),
    figure("connections", String(summary.connections.current)),
  );
}

/**
 * The system metrics panel: a window picker, the window's summary, and one uPlot chart per
 * spec. Charts are drawn once and given new data on every view (uPlot keeps its canvas), so a
 * refresh a minute does not rebuild the DOM.
 */
export class SystemCharts {
  private readonly plots = new Map<string, uPlot>();
  private readonly summary: HTMLElement;
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    windows: readonly string[],
    onWindow: (window: string) => void,
    initial: string,
  ) {
    const picker = h(
      "div",
      { class: "window-picker", role: "group", "aria-label": "window" },
      windows.map((window) =>
        h("button", { type: "button", "data-window": window, "aria-pressed": String(window === initial) }, window),
      ),
    );
    picker.addEventListener("click", (event) => {
      const target = event.target;
      if (!(target instanceof HTMLButtonElement) || !target.dataset.window) return;
      picker.querySelectorAll("button").forEach((button) => button.setAttribute("aria-pressed", String(button === target)));
      onWindow(target.dataset.window);
    });
    this.summary = h("div", { class: "system-summary-slot" }, h("p", { class: "empty" }, "Loading…"));
    const charts = h("div", { class: "system-charts" });
    container.replaceChildren(picker, this.summary, charts);
    for (const spec of CHARTS) {
      const slot = h("figure", { class: "chart", "data-chart": spec.id }, h("figcaption", {}, `${spec.title} (${spec.unit})`));
      charts.append(slot);
      this.plots.set(
        spec.id,
        new uPlot(
          {
            width: Math.max(240, slot.clientWidth || 320),
            height: 160,
            series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: false }))],
            axes: [{}, { size: 50 }],
            scales: { x: { time: true } },
            legend: { show: true },
          },
          chartData(spec, []),
          slot,
        ),
      );
    }
    this.resize = new ResizeObserver(() => {
      for (const spec of CHARTS) {
        const slot = charts.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`);
        if (slot) this.plots.get(spec.id)?.setSize({ width: Math.max(240, slot.clientWidth), height: 160 });
      }
    });
    this.resize.observe(charts);
  }

  /** Shows a new view: its summary, and each chart's series. */
  show(view: SystemMetricsView): void {
    this.container.dataset.window = view.window;
    this.container.dataset.points = String(view.series.length);
    this.summary.replaceChildren(
      view.series.length === 0 ? h("p", { class: "empty" }, "No metrics kept for this window yet.") : summaryOf(view),
    );
    for (const spec of CHARTS) this.plots.get(spec.id)?.setData(chartData(spec, view.series));
  }

  /** Says why the view could not be shown, keeping the last one. */
  fail(message: string): void {
    this.summary.replaceChildren(h("p", { class: "error" }, message));
  }

  destroy(): void {
    this.resize.disconnect();
    for (const plot of this.plots.values()) plot.destroy();
    this.plots.clear();
  }
}
