import { FILE_STATUSES, FILE_TYPES, type FileRecord, type FileStatistics, type FileStatus, type FileType } from "./files";

/** The counter of files of one type in one status. */
export const countKey = (fileType: FileType, status: FileStatus) => `n_${fileType}_${status}`.replace(/-/g, "_");
/** The counter of bytes uploaded for one type. */
export const bytesKey = (fileType: FileType) => `bytes_${fileType}`.replace(/-/g, "_");

/** Counter changes, by counter name; what one write adds to the statistics. */
export type StatisticsDelta = Readonly<Record<string, number>>;

const bytesOf = (record: FileRecord | undefined) => record?.object?.size ?? 0;

/**
 * What moving a file from `before` (absent: a new record) to `after` adds to the counters: the
 * old status's count down, the new one's up, and the change in uploaded bytes. Applied in the
 * same write as the record's change, so a write that loses its condition (a duplicate
 * notification) counts nothing.
 */
export function statisticsDelta(before: FileRecord | undefined, after: FileRecord): StatisticsDelta {
  const delta: Record<string, number> = {};
  const add = (key: string, n: number) => {
    if (n !== 0) delta[key] = (delta[key] ?? 0) + n;
  };
  if (before) add(countKey(before.fileType, before.status), -1);
  add(countKey(after.fileType, after.status), 1);
  add(bytesKey(after.fileType), bytesOf(after) - bytesOf(before));
  return delta;
}

/** The statistics view of the counters as stored (missing counters are zero). */
export function statisticsOf(counters: Readonly<Record<string, number>>): FileStatistics {
  const n = (key: string) => counters[key] ?? 0;
  const byStatus = Object.fromEntries(FILE_STATUSES.map((status) => [status, 0])) as Record<FileStatus, number>;
  const byType = {} as FileStatistics["byType"];
  for (const fileType of FILE_TYPES) {
    const counts = Object.fromEntries(FILE_STATUSES.map((status) => [status, n(countKey(fileType, status))])) as Record<
      FileStatus,
      number
    >;
    for (const status of FILE_STATUSES) byStatus[status] += counts[status];
    byType[fileType] = {
      count: FILE_STATUSES.reduce((sum, status) => sum + counts[status], 0),
      bytes: n(bytesKey(fileType)),
      byStatus: counts,
    };
  }
  return {
    total: FILE_STATUSES.reduce((sum, status) => sum + byStatus[status], 0),
    totalBytes: FILE_TYPES.reduce((sum, fileType) => sum + byType[fileType].bytes, 0),
    byType,
    byStatus,
  };
}
