import * as z from "zod";
import { ForbiddenError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { type Task, TaskView, toTaskView } from "./task";

/**
 * Who may read and act on which task (docs/security.md, "Objects"). A task's payload and result
 * can carry what its submitter fetched or found, so a reader sees them only on a task they
 * submitted, or as an operator or admin (who run the swarm and act on its tasks). Acting on a
 * task someone else submitted is an admin's call: an operator cancels and redrives their own.
 */
export const WITHHELD_FIELDS = ["payload", "result"] as const;

const owns = (caller: Caller, task: Pick<Task, "submittedBy">) => task.submittedBy === caller.sub;
const isAdmin = (caller: Caller) => caller.roles.includes("admin");

/** Whether the caller sees the task's payload and result. */
export const seesContents = (caller: Caller, task: Pick<Task, "submittedBy">): boolean =>
  owns(caller, task) || caller.roles.includes("operator") || isAdmin(caller);

/** Whether the caller may cancel or redrive the task: its submitter, or an admin. */
export const mayActOnTask = (caller: Caller, task: Pick<Task, "submittedBy">): boolean => owns(caller, task) || isAdmin(caller);

/** A filter can reach anyone's tasks, so only admins cancel by filter. */
export function requireFilterCancel(caller: Caller): void {
  if (!isAdmin(caller))
    throw new ForbiddenError("cancelling by filter requires the admin role; operators cancel their own tasks by id");
}

/** Refuses, naming the rule, a caller who may not act on the task. */
export function requireActOnTask(caller: Caller, task: Pick<Task, "taskId" | "submittedBy">, action: "cancel" | "redrive"): void {
  if (!mayActOnTask(caller, task)) {
    throw new ForbiddenError(`only the task's submitter or an admin may ${action} task ${task.taskId}`);
  }
}

/** What `GET /api/tasks/{taskId}` answers: the whole task, or without its payload and result, saying so. */
export const ReadableTaskView = TaskView.partial({ payload: true })
  .extend({
    /** Fields this caller may not see on this task; absent when nothing is withheld. */
    withheld: z.array(z.enum(WITHHELD_FIELDS)).optional(),
  })
  .meta({ id: "ReadableTaskView" });
export type ReadableTaskView = z.infer<typeof ReadableTaskView>;

/** The task as this caller may see it. */
export function taskViewFor(caller: Caller, task: Task): ReadableTaskView {
  const view = toTaskView(task);
  if (seesContents(caller, task)) return view;
  const { payload: _payload, result: _result, ...rest } = view;
  return { ...rest, withheld: [...WITHHELD_FIELDS] };
}
