import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { DataExportResult } from "#jobs/domain/data-export";
import { restoreExport } from "../../../scripts/ops/restore-export";
import { api, eventually, submit, type TaskBody, taskUntil, tokenFor } from "../support/api";

/**
 * The restore drill (issue 14, docs/runbooks/restore.md "Local drill"): tasks exported by a
 * real `data-export` job, deleted from the tasks table, put back from the export, and served by
 * the API as they were. The stack is shared with the other e2e files, so the wipe is of the
 * drill's own tasks, and the restore puts back only what is missing (a row written after the
 * export keeps its newer version). The elapsed time is the local RTO; the export's age when the
 * restore starts, its RPO.
 */
const dynamo = new DynamoDBClient({});
const s3 = new S3Client({ forcePathStyle: true });

describe("the restore drill", () => {
  it("export → wipe → restore: the API serves the restored tasks as they were, and nothing newer is overwritten", async () => {
    // GIVEN three finished tasks
    const tasks = await Promise.all(
      [1, 2, 3].map((n) => submit({ type: "diagnostics.echo", agentType: "data-quality", payload: { drill: n } })),
    );
    const before = await Promise.all(tasks.map((task) => taskUntil(task.taskId, (t) => t.status === "completed", 30_000)));

    // WHEN the tasks table is exported by a data-export job
    const submitted = await api<{ jobId: string }>("POST", "/api/jobs", {
      token: await tokenFor("operator"),
      body: { type: "data-export", parameters: { tables: ["tasks"] } },
    });
    expect(submitted.status).toBe(202);
    const job = await eventually(
      async () =>
        (await api<{ status: string; reason?: string; result?: unknown }>("GET", `/api/jobs/${submitted.body.jobId}`)).body,
      (j) => ["succeeded", "failed", "cancelled"].includes(j.status),
      90_000,
      "the data-export job",
      500,
    );
    expect(job, job.reason).toMatchObject({ status: "succeeded" });
    const exported = DataExportResult.parse(job.result);
    const [tasksTable] = exported.tables;
    if (!tasksTable) throw new Error("the export has no tasks table");

    // …then the drill's tasks are wiped (the control: the loss is real, the API answers 404)
    for (const task of tasks) {
      await dynamo.send(new DeleteItemCommand({ TableName: tasksTable.tableName, Key: { taskId: { S: task.taskId } } }));
    }
    for (const task of tasks) expect((await api("GET", `/api/tasks/${task.taskId}`)).status).toBe(404);

    // …and restored from the export
    const restoreStarted = Date.now();
    const result = await restoreExport({ s3, dynamo, manifest: exported.manifest, tables: { tasks: tasksTable.tableName } });
    const rtoMs = Date.now() - restoreStarted;
    const rpoMs = restoreStarted - Date.parse(result.exportStartedAt);

    // THEN exactly the wiped rows were put back, every other row kept, and the API serves them as they were
    expect(result.tables).toEqual([
      expect.objectContaining({
        table: "tasks",
        items: tasksTable.items,
        restored: tasks.length,
        kept: tasksTable.items - tasks.length,
      }),
    ]);
    for (const [index, task] of tasks.entries()) {
      const served = await api<TaskBody>("GET", `/api/tasks/${task.taskId}`);
      expect(served.status).toBe(200);
      expect(served.body).toEqual(before[index]);
    }
    console.log(
      `[restore drill] ${result.tables[0]?.items} task rows: restore ${rtoMs} ms (local RTO; seed 001: < 30 min), ` +
        `export age at restore ${rpoMs} ms (local RPO; seed 001: < 24 h)`,
    );
    expect(rtoMs).toBeLessThan(30 * 60_000);
  }, 180_000);
});
