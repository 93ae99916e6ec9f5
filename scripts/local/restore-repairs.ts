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
  const saved = SavedService.parse(JSON.parse(readFileSync(file, "utf8")));
  const positions = saved.payload.dynamodb_stream_positions;
  if (positions === undefined) return 0;
  const store = ScopedStore.parse(positions);
  const stale = Object.entries(store.data).filter(([, position]) => position !== 0);
  if (stale.length === 0) return 0;
  const rewound = { ...store, data: Object.fromEntries(Object.keys(store.data).map((key) => [key, 0])) };
  const next = { ...saved, payload: { ...saved.payload, dynamodb_stream_positions: rewound } };
  writeFileSync(`${file}.rewound`, JSON.stringify(next));
  renameSync(`${file}.rewound`, file);
  return stale.length;
}
