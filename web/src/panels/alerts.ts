import { fill, formatTime, h } from "../dom";
import type { DashboardState } from "../state";

/** System alerts, newest first. */
export function renderAlerts(container: Element, state: DashboardState): void {
  if (state.alerts.length === 0) {
    fill(container, h("p", { class: "empty" }, "No alerts."));
    return;
  }
  fill(
    container,
    h(
      "ul",
      { class: "feed" },
      state.alerts.map((alert) =>
        h(
          "li",
          { class: `alert severity-${alert.severity}`, "data-seq": alert.seq },
          h("span", { class: "badge" }, alert.severity),
          h("strong", {}, alert.title),
          alert.message ? h("p", {}, alert.message) : null,
          h("small", {}, `${alert.source ?? "swarm"} · ${formatTime(alert.raisedAt)}`),
        ),
      ),
    ),
  );
}
