import { fill, formatTime, h } from "../dom";
import type { DashboardState } from "../state";

/** Optimization proposals and, once the pipeline settles them (`OptimizationCompleted`), how each went and who decided. */
export function renderOptimizations(container: Element, state: DashboardState): void {
  if (state.optimizations.length === 0) {
    fill(container, h("p", { class: "empty" }, "No optimization runs yet."));
    return;
  }
  fill(
    container,
    h(
      "ul",
      { class: "feed" },
      state.optimizations.map((run) =>
        h(
          "li",
          { "data-recommendation-id": run.recommendationId },
          h("span", { class: `badge ${run.outcome ? `outcome-${run.outcome}` : "outcome-proposed"}` }, run.outcome ?? "proposed"),
          h(
            "strong",
            {},
            run.setting ?? "setting",
            run.agentType ? ` (${run.agentType})` : "",
            run.currentValue !== undefined && run.proposedValue !== undefined
              ? `: ${run.currentValue} → ${run.proposedValue}`
              : "",
          ),
          run.risk ? h("span", { class: `risk risk-${run.risk}` }, `${run.risk} risk`) : null,
          run.rationale ? h("p", {}, run.rationale) : null,
          run.outcomeDetail ? h("p", { class: "detail" }, run.outcomeDetail) : null,
          h(
            "small",
            {},
            run.completedAt ? `settled ${formatTime(run.completedAt)}` : `proposed ${formatTime(run.proposedAt)}`,
            run.decidedBy ? `, decided by ${run.decidedBy}` : "",
          ),
        ),
      ),
    ),
  );
}
