import { describe, expect, it } from "vitest";
import { priorityOrderKey, TaskListQuery, taskOrder } from "#tasks/domain/task-list";
import { aTask } from "../../support/tasks";

describe("task list order", () => {
  const tasks = [
    aTask({ taskId: "low-new", priority: "low", createdAt: "2026-12-01T10:03:00.000Z", updatedAt: "2026-12-01T10:03:00.000Z" }),
    aTask({
      taskId: "crit-old",
      priority: "critical",
      createdAt: "2026-12-01T10:00:00.000Z",
      updatedAt: "2026-12-01T10:05:00.000Z",
    }),
    aTask({
      taskId: "crit-new",
      priority: "critical",
      createdAt: "2026-12-01T10:02:00.000Z",
      updatedAt: "2026-12-01T10:02:00.000Z",
    }),
    aTask({ taskId: "high", priority: "high", createdAt: "2026-12-01T10:01:00.000Z", updatedAt: "2026-12-01T10:04:00.000Z" }),
  ];
  const ids = (by: "created" | "updated" | "priority", order: "desc" | "asc" = "desc") =>
    [...tasks].sort(taskOrder({ by, order })).map((t) => t.taskId);

  it("is newest first by default, latest change first by `updated`, most urgent (then newest) first by `priority`", () => {
    expect(ids("created")).toEqual(["low-new", "crit-new", "high", "crit-old"]);
    expect(ids("updated")).toEqual(["crit-old", "high", "low-new", "crit-new"]);
    expect(ids("priority")).toEqual(["crit-new", "crit-old", "high", "low-new"]);
    expect(ids("priority", "asc")).toEqual(["low-new", "high", "crit-old", "crit-new"]);
  });

  it("keys priority so that a descending index read gives that order", () => {
    const keys = tasks
      .map((t) => priorityOrderKey(t))
      .sort()
      .reverse();
    expect(keys).toEqual([
      "3#2026-12-01T10:02:00.000Z",
      "3#2026-12-01T10:00:00.000Z",
      "2#2026-12-01T10:01:00.000Z",
      "0#2026-12-01T10:03:00.000Z",
    ]);
  });

  it("defaults to created, descending, and refuses other sorts by name", () => {
    expect(TaskListQuery.parse({})).toMatchObject({ sort: "created", order: "desc", limit: 50 });
    expect(TaskListQuery.safeParse({ sort: "size", order: "up" }).error?.issues.map((i) => i.path[0])).toEqual(["sort", "order"]);
  });
});
