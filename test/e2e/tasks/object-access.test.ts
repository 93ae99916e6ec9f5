import { afterAll, describe, expect, it } from "vitest";
import { api, cancelAllOf, submit, type TaskBody, tokenFor } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

/**
 * Object-level rules against the deployed stack (docs/security.md, "Objects"): the admin's
 * tasks are another user's to the operator and the viewer. Every task type is the system's or
 * the admins' to submit, so no operator owns a task here; the submitter's own rights are unit
 * tested (test/unit/tasks/cancel-and-redrive.test.ts).
 */
afterAll(() => cancelAllOf(UNATTENDED_AGENT_TYPE));

interface ReadableTask extends Omit<TaskBody, "payload"> {
  payload?: Record<string, unknown>;
  withheld?: string[];
  cancelledBy?: string;
}
type Results = { results: { taskId: string; outcome: string }[] };

const adminsTask = () =>
  submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "low", payload: { note: "the admin's" } });

describe("who may read and act on a task", () => {
  it("shows a viewer another user's task without its payload and result, saying so; an operator sees it whole", async () => {
    const task = await adminsTask();
    const seenByViewer = await api<ReadableTask>("GET", `/api/tasks/${task.taskId}`, { token: await tokenFor("viewer") });
    expect(seenByViewer.status).toBe(200);
    expect(seenByViewer.body).toMatchObject({ taskId: task.taskId, status: "queued", withheld: ["payload", "result"] });
    expect(seenByViewer.body.payload).toBeUndefined();
    // The control: the same task, read by an operator, has its payload.
    const seenByOperator = await api<ReadableTask>("GET", `/api/tasks/${task.taskId}`, { token: await tokenFor("operator") });
    expect(seenByOperator.body).toMatchObject({ payload: { note: "the admin's" } });
    expect(seenByOperator.body.withheld).toBeUndefined();
  });

  it("refuses an operator's cancel of another user's task (403, the task stays queued); an admin's cancel is recorded", async () => {
    const task = await adminsTask();
    const operator = await tokenFor("operator");
    const refused = await api<{ error: { code: string; message: string } }>("POST", `/api/tasks/${task.taskId}/cancel`, {
      token: operator,
      body: { reason: "not mine" },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(task.taskId);
    expect((await api<ReadableTask>("GET", `/api/tasks/${task.taskId}`)).body.status).toBe("queued");

    const cancelled = await api<ReadableTask>("POST", `/api/tasks/${task.taskId}/cancel`, { body: { reason: "admin's call" } });
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled", cancelledBy: "admin" } });
  });

  it("keeps cancelling by filter for admins (403 for an operator); by id and redrive, others' tasks answer forbidden", async () => {
    const task = await adminsTask();
    const operator = await tokenFor("operator");
    const byFilter = await api("POST", "/api/tasks/cancel", {
      token: operator,
      body: { filter: { agentType: UNATTENDED_AGENT_TYPE, status: "queued" } },
    });
    expect(byFilter.status).toBe(403);
    expect((await api<ReadableTask>("GET", `/api/tasks/${task.taskId}`)).body.status).toBe("queued");

    const byId = await api<Results>("POST", "/api/tasks/cancel", {
      token: operator,
      body: { taskIds: [task.taskId, "no-such"] },
    });
    expect(byId.body.results).toEqual([
      { taskId: task.taskId, outcome: "forbidden" },
      { taskId: "no-such", outcome: "not_found" },
    ]);
    const redrive = await api<Results>("POST", "/api/tasks/dead-letters/redrive", {
      token: operator,
      body: { taskIds: [task.taskId] },
    });
    expect(redrive.body.results).toEqual([{ taskId: task.taskId, outcome: "forbidden" }]);
    expect((await api<ReadableTask>("GET", `/api/tasks/${task.taskId}`)).body.status).toBe("queued");
    // The control: the admin's own by-id cancel of the same task goes through.
    const admins = await api<Results>("POST", "/api/tasks/cancel", { body: { taskIds: [task.taskId] } });
    expect(admins.body.results).toMatchObject([{ taskId: task.taskId, outcome: "cancelled" }]);
  });
});
