import { fill, formatTime, h } from "../dom";
import type { DashboardState } from "../state";

/** Recent tasks, newest first, each with its current status. */
export function renderTasks(container: Element, state: DashboardState): void {
  if (state.tasks.length === 0) {
    fill(container, h("p", { class: "empty" }, "No tasks yet."));
    return;
  }
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
          ["Task", "Type", "Agent type", "Priority", "Status", "Attempt", "Updated"].map((label) => h("th", {}, label)),
        ),
      ),
      h(
        "tbody",
        {},
        state.tasks.map((task) =>
          h(
            "tr",
            { "data-task-id": task.taskId, "data-status": task.status, "data-seq": task.seq },
            h("td", { class: "mono", title: task.taskId }, task.taskId.slice(0, 12)),
            h("td", {}, task.type),
            h("td", {}, task.agentType),
            h("td", { class: `priority-${task.priority}` }, task.priority),
            h(
              "td",
              { class: `badge status-${task.status}`, "data-field": "status", title: task.error?.message },
              task.status.replace(/_/g, " "),
            ),
            h(
              "td",
              { class: "count" },
              task.attemptsAllowed ? `${task.attempt ?? 1}/${task.attemptsAllowed}` : (task.attempt ?? ""),
            ),
            h("td", {}, formatTime(task.updatedAt)),
          ),
        ),
      ),
    ),
  );
}
