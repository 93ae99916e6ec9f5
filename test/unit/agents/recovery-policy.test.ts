import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HealthVerdict } from "#agents/domain/health";
import {
  decideRecovery,
  freshLedger,
  RECOVERY_POLICY,
  type RecoveryLedger,
  type TypeSituation,
} from "#agents/domain/recovery-policy";
import { anAgent } from "../../support/agents";

const T0 = Date.parse("2026-11-23T10:00:00.000Z");
const minutes = (m: number) => new Date(T0 + m * 60_000);
const healthy: HealthVerdict = { status: "healthy", reason: "ok" };
const sick: HealthVerdict = { status: "unhealthy", reason: "no heartbeat for 40s" };
const situation = (verdicts: HealthVerdict[], desiredCount = verdicts.length): TypeSituation => ({
  agentType: "data-quality",
  agents: verdicts.map((verdict, i) => ({ agent: anAgent({ agentId: `dq-${i}` }), verdict })),
  desiredCount,
  maxAgents: 5,
});

describe("decideRecovery", () => {
  it("restarts an unhealthy agent while its peers are healthy", () => {
    const decision = decideRecovery(situation([sick, healthy]), freshLedger("data-quality"), minutes(0));
    expect(decision).toMatchObject({ action: "RESTART", agentId: "dq-0", ledger: { attempts: 1 } });
    expect(decision.ledger.history[0]).toMatchObject({ action: "RESTART", agentId: "dq-0" });
  });

  it("fails over when no healthy agent is left", () => {
    expect(decideRecovery(situation([sick]), freshLedger("data-quality"), minutes(0)).action).toBe("FAILOVER");
  });

  it("waits out a 5-minute cooldown between attempts", () => {
    const first = decideRecovery(situation([sick, healthy]), freshLedger("data-quality"), minutes(0));
    expect(decideRecovery(situation([sick, healthy]), first.ledger, minutes(4)).action).toBe("none");
    expect(decideRecovery(situation([sick, healthy]), first.ledger, minutes(5)).action).toBe("RESTART");
  });

  it("recreates on the third attempt, then opens the breaker and only alerts", () => {
    let ledger: RecoveryLedger = freshLedger("data-quality");
    const actions = [0, 5, 10, 15, 20].map((m) => {
      const decision = decideRecovery(situation([sick, healthy]), ledger, minutes(m));
      ledger = decision.ledger;
      return decision.action;
    });
    expect(actions).toEqual(["RESTART", "RESTART", "RECREATE", "ALERT_ONLY", "none"]);
    expect(ledger.breaker).toBe("open");
  });

  it("tries once more after the breaker's reset time (half-open)", () => {
    const open: RecoveryLedger = {
      ...freshLedger("x"),
      attempts: 3,
      breaker: "open",
      openedAt: minutes(0).toISOString(),
      lastAttemptAt: minutes(0).toISOString(),
    };
    expect(decideRecovery(situation([sick, healthy]), open, minutes(29)).action).toBe("none");
    expect(decideRecovery(situation([sick, healthy]), open, minutes(31)).action).toBe("RECREATE");
  });

  it("scales up an overloaded type with room to grow, and only alerts other degradation", () => {
    const hot: HealthVerdict = { status: "degraded", reason: "CPU at 99%" };
    const flaky: HealthVerdict = { status: "degraded", reason: "error rate 30%" };
    expect(decideRecovery(situation([hot]), freshLedger("x"), minutes(0)).action).toBe("SCALE_UP");
    expect(decideRecovery({ ...situation([hot]), maxAgents: 1 }, freshLedger("x"), minutes(0)).action).toBe("ALERT_ONLY");
    expect(decideRecovery(situation([flaky]), freshLedger("x"), minutes(0)).action).toBe("ALERT_ONLY");
  });

  it("closes the incident when every agent is healthy again", () => {
    const tried = decideRecovery(situation([sick, healthy]), freshLedger("x"), minutes(0)).ledger;
    const after = decideRecovery(situation([healthy, healthy]), tried, minutes(6));
    expect(after).toMatchObject({
      action: "none",
      reason: expect.stringContaining("recovered"),
      ledger: { attempts: 0, breaker: "closed" },
    });
    expect(after.ledger.history).toHaveLength(1);
  });

  it("never acts more than 3 times in any run of failures, nor twice within 5 minutes (property)", () => {
    const verdict = fc.constantFrom<HealthVerdict>(
      healthy,
      sick,
      { status: "degraded", reason: "CPU at 99%" },
      { status: "degraded", reason: "late" },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(verdict, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 10 })), { maxLength: 40 }),
        (runs) => {
          let ledger = freshLedger("x");
          let clock = 0;
          let lastActionAt = Number.NEGATIVE_INFINITY;
          let actionsSinceHealthy = 0;
          for (const [verdicts, advance] of runs) {
            clock += advance;
            const decision = decideRecovery(situation(verdicts), ledger, minutes(clock));
            ledger = decision.ledger;
            if (verdicts.every((v) => v.status === "healthy")) actionsSinceHealthy = 0;
            if (decision.action !== "none") {
              expect(clock - lastActionAt).toBeGreaterThanOrEqual(RECOVERY_POLICY.cooldownSeconds / 60);
              lastActionAt = clock;
              actionsSinceHealthy++;
              // three recovery attempts, the alert that opens the breaker, then one half-open attempt per reset
              expect(actionsSinceHealthy).toBeLessThanOrEqual(
                RECOVERY_POLICY.maxAttempts + 1 + Math.floor(clock / (RECOVERY_POLICY.breakerResetSeconds / 60)),
              );
            }
          }
        },
      ),
    );
  });
});
