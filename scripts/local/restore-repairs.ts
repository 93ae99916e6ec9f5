import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as z from "zod";

/**
 * How MiniStack 1.5.33 wraps a service's saved state (`core/persistence.py`): a format version
 * and the payload. Scoped stores are `{ "__account_region_scoped__": true, "data": { key: value } }`.
 */
const SavedService = z.looseObject({ __ministack_format__: z.number().int(), payload: z.looseObject({}) });
const ScopedStore = z.object({ __account_region_scoped__: z.literal(true), data: z.record(z.string(), z.unknown()) });

/** The Lambda service's file, with the read positions of its DynamoDB stream event source mappings. */
export const LAMBDA_STATE_FILE = "lambda.json";
/** The ECS service's file, with every task it ever ran. */
export const ECS_STATE_FILE = "ecs.json";

/** How long a stopped task stays listed, as on AWS ("at least an hour"); older ones are dropped from the saved state. */
export const STOPPED_TASK_RETENTION_MS = 3600 * 1_000;

/** Thrown when a saved file is not in the shape these repairs know (another emulator version, say). */
export class UnknownStateFormatError extends Error {
  constructor(file: string, detail: string, options?: ErrorOptions) {
    super(`${path.basename(file)} is not in the format MiniStack 1.5.33 saves: ${detail}`, options);
    this.name = "UnknownStateFormatError";
  }
}

function parseOr<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new UnknownStateFormatError(file, z.prettifyError(parsed.error).replace(/\s*\n\s*/g, " "), { cause: parsed.error });
  return parsed.data;
}

function readService(file: string): z.infer<typeof SavedService> {
  return parseOr(SavedService, JSON.parse(readFileSync(file, "utf8")), file);
}

function writeService(file: string, saved: z.infer<typeof SavedService>): void {
  writeFileSync(`${file}.repaired`, JSON.stringify(saved));
  renameSync(`${file}.repaired`, file);
}

/**
 * Rewinds every DynamoDB stream event source mapping to the start of its stream, in the saved
 * Lambda state, before the emulator loads it. The emulator saves each mapping's read position
 * (a count of records) but not the stream records themselves: after a restore each stream
 * starts empty, and a mapping left at position N skips the first N new records without a word —
 * which is why a restarted stack stored tasks and never sent them to a queue. Position 0 of the
 * new stream is where each mapping should resume (ours start at TRIM_HORIZON; a LATEST one
 * would also begin there, the stream being empty). Answers how many mappings it rewound.
 * Canary: test/e2e/local-fidelity/restart-canaries.test.ts.
 */
export function rewindStreamPositions(stateDir: string): number {
  const file = path.join(stateDir, LAMBDA_STATE_FILE);
  if (!existsSync(file)) return 0;
  const saved = readService(file);
  const positions = saved.payload.dynamodb_stream_positions;
  if (positions === undefined) return 0;
  const store = parseOr(ScopedStore, positions, file);
  const stale = Object.entries(store.data).filter(([, position]) => position !== 0);
  if (stale.length === 0) return 0;
  const rewound = { ...store, data: Object.fromEntries(Object.keys(store.data).map((key) => [key, 0])) };
  const next = { ...saved, payload: { ...saved.payload, dynamodb_stream_positions: rewound } };
  writeService(file, next);
  return stale.length;
}

const SavedTask = z.looseObject({
  taskArn: z.string(),
  lastStatus: z.string(),
  desiredStatus: z.string(),
  stoppedAt: z.string().nullish(),
  containers: z.array(z.looseObject({})).optional(),
});

/** What `stopRestoredTasks` did. */
export interface RestoredTasks {
  /** Tasks that were running when the state was saved, now recorded as stopped. */
  readonly stopped: readonly string[];
  /** Tasks stopped more than an hour before, dropped. */
  readonly dropped: number;
}

/**
 * Records as stopped, in the saved ECS state, every task that was running when it was saved,
 * and drops tasks stopped over an hour ago. The emulator restores each task `STOPPED` (its
 * container went with the process) but leaves it `desiredStatus: RUNNING`, so it is listed as
 * running forever and piles up with every restart; ECS would stop a task whose container
 * exited, and keeps stopped tasks listed for about an hour. The emulator then starts new tasks
 * for each service (its restore reconciles desired counts), which the fleet runner follows.
 * Answers the tasks it stopped, so their stop can be announced as ECS would have.
 * Canary: test/e2e/local-fidelity/restart-canaries.test.ts.
 */
export function stopRestoredTasks(stateDir: string, now: Date = new Date()): RestoredTasks {
  const file = path.join(stateDir, ECS_STATE_FILE);
  if (!existsSync(file)) return { stopped: [], dropped: 0 };
  const saved = readService(file);
  if (saved.payload.tasks === undefined) return { stopped: [], dropped: 0 };
  const store = parseOr(ScopedStore, saved.payload.tasks, file);
  const at = now.toISOString();
  const stopped: string[] = [];
  let dropped = 0;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store.data)) {
    const task = parseOr(SavedTask, value, file);
    if (task.desiredStatus !== "STOPPED" || task.lastStatus !== "STOPPED") {
      stopped.push(task.taskArn);
      kept[key] = {
        ...task,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stoppingAt: at,
        stoppedAt: at,
        executionStoppedAt: at,
        stopCode: "EssentialContainerExited",
        stoppedReason: "The emulator stopped, and the task's container with it",
        ...(task.containers ? { containers: task.containers.map((container) => ({ ...container, lastStatus: "STOPPED" })) } : {}),
      };
    } else if (!task.stoppedAt || now.getTime() - Date.parse(task.stoppedAt) > STOPPED_TASK_RETENTION_MS) {
      dropped += 1;
    } else {
      kept[key] = task;
    }
  }
  if (stopped.length > 0 || dropped > 0)
    writeService(file, { ...saved, payload: { ...saved.payload, tasks: { ...store, data: kept } } });
  return { stopped, dropped };
}
