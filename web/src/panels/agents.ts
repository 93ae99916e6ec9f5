import { fill, h } from "../dom";
import { agentCounts, type DashboardState } from "../state";
import { AGENT_STATUSES } from "#kernel/bus/agent-status-changed";

/** Agents by type and status: one row per type, one column per status, with desired/running. */
export function renderAgents(container: Element, state: DashboardState): void {
  const rows = agentCounts(state);
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
          h("th", {}, "Type"),
          AGENT_STATUSES.map((s) => h("th", { class: `status-${s}` }, s)),
          h("th", {}, "Running / desired"),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { "data-agent-type": row.agentType },
            h("th", { scope: "row" }, row.agentType),
            AGENT_STATUSES.map((status) => {
              const count = row.byStatus[status] ?? 0;
              return h("td", { class: count > 0 ? `count status-${status}` : "count zero", "data-status": status }, count);
            }),
            h("td", { class: "count" }, row.desired === undefined ? "–" : `${row.running ?? 0} / ${row.desired}`),
          ),
        ),
      ),
    ),
  );
}
