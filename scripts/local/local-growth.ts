import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";

/** Local logs are kept as long as the local stage keeps CloudWatch logs (`logRetentionDays`: 1). */
export const LOCAL_LOG_RETENTION_MS = 24 * 3600 * 1_000;

/**
 * Deletes the files in `.local/logs/` (one per agent run, the emulator's and the deploy's per
 * port) not written to for `maxAgeMs`: every restart starts agents with new ids, so their logs
 * would otherwise pile up. Answers how many it deleted.
 */
export function pruneOldLogs(logsDir: string, maxAgeMs: number = LOCAL_LOG_RETENTION_MS, now: number = Date.now()): number {
  if (!existsSync(logsDir)) return 0;
  let deleted = 0;
  for (const name of readdirSync(logsDir)) {
    const file = path.join(logsDir, name);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && name.endsWith(".log") && now - stat.mtimeMs > maxAgeMs) {
      rmSync(file, { force: true });
      deleted += 1;
    }
  }
  return deleted;
}
