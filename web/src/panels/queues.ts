import { fill, formatAge, formatTime, h } from "../dom";
import { type DashboardState, queueDepthByPriority } from "../state";

/** Queue depth per priority, summed over agent types. */
export function renderQueues(container: Element, state: DashboardState): void {
  const rows = queueDepthByPriority(state);
  fill(
    container,
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Priority", "Waiting", "In flight", "Delayed", "Dead letters", "Oldest"].map((label) => h("th", {}, label)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { "data-priority": row.priority },
            h("th", { scope: "row", class: `priority-${row.priority}` }, row.priority),
            h("td", { class: "count", "data-field": "visible" }, row.visible),
            h("td", { class: "count" }, row.inFlight),
            h("td", { class: "count" }, row.delayed),
            h("td", { class: row.deadLetters > 0 ? "count warn" : "count" }, row.deadLetters),
            h("td", { class: "count" }, formatAge(row.oldestAgeSeconds)),
          ),
        ),
      ),
    ),
    h("p", { class: "as-of" }, state.queues.asOf ? `as of ${formatTime(state.queues.asOf)}` : "waiting for figures…"),
  );
}
