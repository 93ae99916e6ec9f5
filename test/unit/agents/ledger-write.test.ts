import { describe, expect, it } from "vitest";
import { applyLedgerWrite, LedgerConflictError, planLedgerWrite, retryOnConflict } from "#agents/domain/ledger-write";

describe("ledger write plans", () => {
  it("apply over the version they were planned from, and advance it", () => {
    const read = { value: { n: 1 }, version: 3 };

    expect(applyLedgerWrite("SCALING#x", read, planLedgerWrite(read, { n: 2 }))).toEqual({ value: { n: 2 }, version: 4 });
    expect(applyLedgerWrite("SCALING#x", undefined, planLedgerWrite({ value: {}, version: 0 }, { n: 1 }))).toEqual({
      value: { n: 1 },
      version: 1,
    });
  });

  it("are refused over any other version, naming the row and both versions", () => {
    const plan = planLedgerWrite({ value: {}, version: 3 }, { n: 2 });

    const error = (() => {
      try {
        return applyLedgerWrite("SCALING#x", { value: { n: 9 }, version: 4 }, plan);
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(LedgerConflictError);
    expect(error).toMatchObject({ row: "SCALING#x", expectedVersion: 3, foundVersion: 4 });
    expect((error as Error).message).toBe(
      "ledger row SCALING#x is at version 4, not 3: another writer changed it since it was read",
    );
  });
});

describe("retryOnConflict", () => {
  const conflict = () => new LedgerConflictError("SCALING#x", 1, 2);

  it("runs the round again after a lost race, and answers what the winning round answers", async () => {
    const attempts: number[] = [];

    const result = await retryOnConflict(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw conflict();
      return "written";
    });

    expect(result).toBe("written");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("gives up after the last round with the conflict, writing nothing over the winner", async () => {
    let rounds = 0;

    const error = await retryOnConflict(async () => {
      rounds++;
      throw conflict();
    }, 4).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LedgerConflictError);
    expect(rounds).toBe(4);
  });

  it("does not retry any other failure", async () => {
    let rounds = 0;

    const error = await retryOnConflict(async () => {
      rounds++;
      throw new Error("ECS is down");
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ message: "ECS is down" });
    expect(rounds).toBe(1);
  });
});
