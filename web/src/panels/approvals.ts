import type { Decision } from "#optimization/published/decisions";
import { fill, formatTime, h } from "../dom";
import type { DashboardState } from "../state";

/**
 * Recommendations waiting for a person's decision. Operators and admins get Approve and Reject;
 * viewers see the same list read-only. A decision in flight disables its row's buttons.
 */
export function renderApprovals(
  container: Element,
  state: DashboardState,
  options: {
    readonly canDecide: boolean;
    readonly deciding: ReadonlySet<string>;
    readonly onDecide: (id: string, decision: Decision) => void;
  },
): void {
  const rows = Object.values(state.approvals).sort((a, b) => (a.approvalDeadline ?? "").localeCompare(b.approvalDeadline ?? ""));
  if (rows.length === 0) {
    fill(container, h("p", { class: "empty" }, "Nothing waits for a decision."));
    return;
  }
  const button = (id: string, decision: Decision) => {
    const element = h(
      "button",
      { type: "button", class: `decide ${decision}`, "data-decision": decision, disabled: options.deciding.has(id) },
      decision === "approve" ? "Approve" : "Reject",
    );
    element.addEventListener("click", () => options.onDecide(id, decision));
    return element;
  };
  fill(
    container,
    h(
      "ul",
      { class: "feed" },
      rows.map((row) =>
        h(
          "li",
          { "data-recommendation-id": row.recommendationId },
          h("span", { class: `risk risk-${row.risk}` }, `${row.risk} risk`),
          h("strong", {}, row.title),
          h("p", { class: "detail" }, `${row.target} at ${row.fromVersion}`),
          row.summary.length > 0
            ? h(
                "ul",
                { class: "patch" },
                row.summary.map((line) => h("li", {}, line)),
              )
            : null,
          row.approvalDeadline ? h("small", {}, `decide by ${formatTime(row.approvalDeadline)}`) : null,
          options.canDecide
            ? h("div", { class: "actions" }, button(row.recommendationId, "approve"), button(row.recommendationId, "reject"))
            : h("small", { class: "read-only" }, " (operators and admins decide)"),
        ),
      ),
    ),
  );
}
