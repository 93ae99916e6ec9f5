import * as z from "zod";
import { mapWithConcurrency } from "#core/shared/concurrency";
import { DomainError } from "#core/shared/errors";
import { HttpEvent, httpHandler, json, jsonBody } from "#core/shared/http";
import { callerFromClaims, requireRole } from "#core/shared/identity";
import { logger, metrics } from "#core/shared/powertools";
import { submitTask } from "#core/tasks/domain/submit-task";
import { SubmitTaskRequest, toTaskView } from "#core/tasks/domain/task";
import { submitDeps } from "./wiring";

export const MAX_BATCH = 100;

const SubmitBatchEvent = HttpEvent.extend({
  body: jsonBody(z.object({ tasks: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict()),
});

/**
 * POST /api/tasks/batch — up to 100 tasks, each validated and submitted on its own: one bad
 * item never fails the others. Answers 200 with a result per item, in order, each carrying the
 * status that item alone would have got (201, 200 replay, 400, 409, 413, 429).
 */
export const handler = httpHandler(
  SubmitBatchEvent,
  async (event) => {
    const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
    requireRole(caller, ["operator", "admin"]);
    const deps = submitDeps();
    const settled = await mapWithConcurrency(event.body.tasks, 10, async (item, index) => {
      const request = SubmitTaskRequest.safeParse(item);
      if (!request.success) {
        const fields = request.error.issues.flatMap((issue) =>
          issue.code === "unrecognized_keys"
            ? issue.keys.map((key) => ({ field: key, message: "is not a known field" }))
            : [{ field: issue.path.map(String).join(".") || "(item)", message: issue.message }],
        );
        return { index, status: 400, error: { code: "ValidationError", message: "the task is invalid", fields } };
      }
      try {
        const { task, created } = await submitTask(request.data, caller, deps);
        return { index, status: created ? 201 : 200, task: toTaskView(task) };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return {
          index,
          status: error.status,
          error: { code: error.code, message: error.message, ...(error.fields.length ? { fields: error.fields } : {}) },
        };
      }
    });
    const results = settled.map((result, index) => {
      if (result.status === "fulfilled") return result.value;
      logger.error("batch item failed unexpectedly", { index, error: result.reason });
      return { index, status: 500, error: { code: "InternalError", message: "internal error" } };
    });
    const created = results.filter((r) => r.status === 201).length;
    metrics.addMetric("TasksSubmitted", "Count", created);
    return json(200, {
      summary: {
        total: results.length,
        created,
        replayed: results.filter((r) => r.status === 200).length,
        refused: results.filter((r) => r.status >= 400).length,
      },
      results,
    });
  },
  // Lambda takes 6 MB of request at most; refuse more ourselves, with a clear 413.
  { maxBodyBytes: 6_000_000 },
);
