import type { Context } from "aws-lambda";
import * as z from "zod";
import { instrumented } from "#shared/instrumented";

/** What every step of the state machine is invoked with: the recommendation it works on. */
export const StepInput = z.object({ recommendationId: z.string().min(1) });

/**
 * A Task state's function: parses its input (the state machine's `Parameters`), runs the
 * pipeline step and returns its result for the state machine to branch on. The one summary
 * line per invocation names the recommendation and the outcome, never anything else of the
 * input (the approval step's input carries the task token).
 *
 * @example
 * export const handler = pipelineStep(StepInput, ({ recommendationId }) => validateStep(recommendationId, deps));
 */
export function pipelineStep<S extends z.ZodType<{ recommendationId: string }>, R extends { outcome: string }>(
  input: S,
  run: (event: z.infer<S>) => Promise<R>,
) {
  return instrumented(
    async (event: unknown, _context: Context) => run(input.parse(event)),
    (result: R) => ({ outcome: result.outcome }),
  );
}
