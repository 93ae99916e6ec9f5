import * as z from "zod";
import { ACTOR_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import { BulkCancelRequest, BulkCancelResponse, CancelTaskRequest } from "../domain/cancel-tasks";
import { QueueViewResponse } from "../domain/queue-view";
import { RedriveRequest, RedriveResponse } from "../domain/redrive-tasks";
import { SubmitBatchEnvelope, SubmitBatchRequest, SubmitBatchResponse } from "../domain/submit-batch";
import { SubmitTaskRequest, TaskView } from "../domain/task";
import { ReadableTaskView } from "../domain/task-access";
import { DeadLetterListQuery, TaskListPage, TaskListQuery, TaskPage } from "../domain/task-list";
import { TaskStatusView } from "../domain/task-stats";

export const TaskIdParams = z.object({ taskId: z.string().min(1).max(128) }).strict();

/** The task API: submit, read, list, cancel, dead letters, and the orchestration views. */
export const TASK_ROUTES = {
  submitTask: {
    method: "POST",
    path: "/api/tasks",
    entry: "tasks/submit-task",
    roles: ACTOR_ROLES,
    summary: "Submit a task",
    description:
      "Stores the task as `queued` and sends it to its agent type's queue for its priority. The task type must be one the agent type runs (the error lists those it does). With an `idempotencyKey`, a repeat of the same request answers 200 with the first task (header `idempotent-replayed: true`) and queues nothing; the same key with a different request answers 409.",
    body: SubmitTaskRequest,
    responses: {
      201: { description: "Created", schema: TaskView, headers: { location: "/api/tasks/{taskId}" } },
      200: { description: "Replay of an earlier request with the same idempotency key", schema: TaskView },
    },
    errors: [400, 409, 413, 429],
  },
  submitTasksBatch: {
    method: "POST",
    budget: "expensive",
    path: "/api/tasks/batch",
    entry: "tasks/submit-tasks-batch",
    roles: ACTOR_ROLES,
    summary: "Submit up to 100 tasks",
    description:
      "Each item is validated and submitted on its own, so one bad item never fails the others. Answers 200 with a result per item, in order, each carrying the status that item alone would have got (201, 200, 400, 409, 413, 429). Items are admitted in order against their agent type's queue limit, each counting the ones before it, as if submitted one after another.",
    body: SubmitBatchEnvelope,
    documentedBody: SubmitBatchRequest,
    responses: { 200: { description: "A result per item", schema: SubmitBatchResponse } },
    errors: [400, 413],
  },
  listTasks: {
    method: "GET",
    path: "/api/tasks",
    entry: "tasks/list-tasks",
    roles: READER_ROLES,
    summary: "Task summaries, newest first, filtered and paginated",
    query: TaskListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of summaries, and how many match in all", schema: TaskListPage } },
    errors: [400],
  },
  getTaskStatus: {
    method: "GET",
    path: "/api/tasks/status",
    entry: "tasks/get-task-status",
    roles: READER_ROLES,
    summary: "Counts by status, priority and type; throughput; average queue and execution time",
    responses: { 200: { description: "The orchestration metrics", schema: TaskStatusView } },
    errors: [],
  },
  getTaskQueues: {
    method: "GET",
    path: "/api/tasks/queue",
    entry: "tasks/get-task-queues",
    roles: READER_ROLES,
    summary: "Each queue: visible, in flight, delayed, dead letters, oldest queued task's age",
    responses: { 200: { description: "One row per agent type and priority", schema: QueueViewResponse } },
    errors: [],
  },
  listDeadLetters: {
    method: "GET",
    path: "/api/tasks/dead-letters",
    entry: "tasks/list-dead-letters",
    roles: READER_ROLES,
    summary: "Dead-lettered tasks with their last error, newest first",
    query: DeadLetterListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of summaries", schema: TaskPage } },
    errors: [400],
  },
  redriveDeadLetters: {
    method: "POST",
    budget: "expensive",
    path: "/api/tasks/dead-letters/redrive",
    entry: "tasks/redrive-dead-letters",
    roles: ACTOR_ROLES,
    summary: "Re-queue chosen dead-lettered tasks with fresh retries",
    description:
      "An operator redrives the tasks they submitted (another user's answer `forbidden`); an admin redrives any. The task records who redrove it (`redrivenBy`, `redrivenAt`) and its `TaskUpdated` event names them (`actor`).",
    body: RedriveRequest,
    responses: { 200: { description: "A result per task", schema: RedriveResponse } },
    errors: [400],
  },
  cancelTasks: {
    method: "POST",
    budget: "expensive",
    path: "/api/tasks/cancel",
    entry: "tasks/cancel-tasks",
    roles: ACTOR_ROLES,
    summary: "Cancel queued and running tasks by filter or by id",
    description:
      "By filter: admins only (a filter reaches anyone's tasks; an operator's answers 403 before any task is read). By id: an operator's own tasks are cancelled and another user's answer `forbidden`; an admin cancels any.",
    body: BulkCancelRequest,
    responses: { 200: { description: "A result per task", schema: BulkCancelResponse } },
    errors: [400],
  },
  getTask: {
    method: "GET",
    path: "/api/tasks/{taskId}",
    entry: "tasks/get-task",
    roles: READER_ROLES,
    summary: "A task, with its status, result or error",
    description:
      "A viewer sees the payload and result of a task only if they submitted it; otherwise both are left out and `withheld` names them. Operators and admins see every task whole.",
    params: TaskIdParams,
    responses: { 200: { description: "The task", schema: ReadableTaskView } },
    errors: [404],
  },
  cancelTask: {
    method: "POST",
    path: "/api/tasks/{taskId}/cancel",
    entry: "tasks/cancel-task",
    roles: ACTOR_ROLES,
    summary: "Cancel a task",
    description:
      "A queued task never starts; a running one is aborted at its agent's next heartbeat and its late result refused; a finished one answers 409. Operators cancel the tasks they submitted; another user's task answers 403 unless the caller is an admin. The canceller is recorded on the task (`cancelledBy`) and in its `TaskUpdated` event (`actor`).",
    params: TaskIdParams,
    body: CancelTaskRequest,
    optionalBody: true,
    ifMatch: true,
    responses: { 200: { description: "The cancelled task", schema: TaskView } },
    errors: [400, 404, 409, 412],
  },
} as const satisfies RouteTable;
