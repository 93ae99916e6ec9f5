import { describe, expect, it } from "vitest";
import { StatsBackedAdmission } from "#tasks/adapters/stats-backed-scheduling";
import { QueueFullError } from "#shared/errors";
import { countKey } from "#tasks/domain/task-stats";
import { InMemoryTaskStats } from "../../support/in-memory-task-stats";

/** Counts the reads of a type's counters. */
class CountingStats extends InMemoryTaskStats {
  reads = 0;
  override async ofType(...args: Parameters<InMemoryTaskStats["ofType"]>) {
    this.reads++;
    return super.ofType(...args);
  }
}

describe("StatsBackedAdmission.forBatch", () => {
  it("reads a type's counters once for the whole batch and counts the batch's own tasks as queued", async () => {
    // GIVEN data-quality has 8 queued of a limit of 10
    const stats = new CountingStats({ "data-quality": { [countKey("normal", "queued")]: 8 } });
    const batch = new StatsBackedAdmission(stats, 10).forBatch();

    await batch.admit("data-quality");
    await batch.admit("data-quality");
    await expect(batch.admit("data-quality")).rejects.toBeInstanceOf(QueueFullError);
    await batch.admit("api-reliability");

    expect(stats.reads).toBe(2);
  });

  it("control: admitted one task at a time, the same counters let every task of the batch in", async () => {
    const stats = new CountingStats({ "data-quality": { [countKey("normal", "queued")]: 8 } });
    const single = new StatsBackedAdmission(stats, 10);
    for (let i = 0; i < 3; i++) await single.admit("data-quality");
    expect(stats.reads).toBe(3);
  });
});
