import { describe, expect, it } from "vitest";
import type { FileRecord } from "#files/domain/files";
import { statisticsDelta, statisticsOf } from "#files/domain/statistics";

const record = (overrides: Partial<FileRecord> = {}): FileRecord => ({
  fileId: "f",
  name: "a.json",
  size: 10,
  contentType: "application/json",
  fileType: "dataset",
  tags: [],
  metadata: {},
  status: "pending",
  reasons: [],
  uploadedBy: "op",
  createdAt: "2026-12-02T00:00:00.000Z",
  key: "files/dataset/f",
  revision: 0,
  ...overrides,
});
const uploaded = { key: "files/dataset/f", etag: "e", size: 10, contentType: "application/json" };

describe("file statistics", () => {
  it("counts a new record as pending, with no bytes until an upload is judged", () => {
    expect(statisticsDelta(undefined, record())).toEqual({ n_dataset_pending: 1 });
  });

  it("moves a file from one status to another and adds its uploaded bytes", () => {
    const after = record({ status: "valid", object: uploaded, revision: 1 });
    expect(statisticsDelta(record(), after)).toEqual({ n_dataset_pending: -1, n_dataset_valid: 1, bytes_dataset: 10 });
    // A revalidation with the same verdict moves nothing.
    expect(statisticsDelta(after, { ...after, revision: 2 })).toEqual({ n_dataset_valid: 0 });
  });

  it("sums the counters into counts by type and status and total bytes", () => {
    const stats = statisticsOf({ n_dataset_valid: 2, n_dataset_invalid: 1, n_agent_config_pending: 3, bytes_dataset: 30 });
    expect(stats).toEqual({
      total: 6,
      totalBytes: 30,
      byStatus: { pending: 3, valid: 2, invalid: 1 },
      byType: {
        dataset: { count: 3, bytes: 30, byStatus: { pending: 0, valid: 2, invalid: 1 } },
        "agent-config": { count: 3, bytes: 0, byStatus: { pending: 3, valid: 0, invalid: 0 } },
      },
    });
  });
});
