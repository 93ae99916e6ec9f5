import { describe, expect, it } from "vitest";
import { envVarFor, InvalidStageConfigError, loadStageConfig } from "../../../lib/config/stage-config";

describe("loadStageConfig", () => {
  it("gives each stage its defaults, carrying the seed keys", () => {
    const prod = loadStageConfig("prod", {});
    expect(prod).toMatchObject({
      stage: "prod",
      retainData: true,
      schedulingStrategy: "adaptive",
      maxConcurrentTasksPerAgent: 3,
      healthCheckInterval: 30,
      autoApplyLowRisk: false,
      requireApprovalThreshold: "medium",
    });
    expect(loadStageConfig("local", {}).retainData).toBe(false);
  });

  it("takes an account id as written, not as a number", () => {
    expect(loadStageConfig("dev", { TGE_ACCOUNT: "123456789012" }).account).toBe("123456789012");
    expect(() => loadStageConfig("dev", { TGE_ACCOUNT: "12345" })).toThrow(
      /account \(TGE_ACCOUNT\): must be a 12-digit AWS account id/,
    );
  });

  it("takes overrides from TGE_* variables, typed by the key", () => {
    const config = loadStageConfig("dev", {
      TGE_SCHEDULING_STRATEGY: "least_loaded",
      TGE_MAX_CONCURRENT_TASKS_PER_AGENT: "7",
      TGE_AUTO_APPLY_LOW_RISK: "true",
    });
    expect(config).toMatchObject({ schedulingStrategy: "least_loaded", maxConcurrentTasksPerAgent: 7, autoApplyLowRisk: true });
  });

  it("fails fast naming the bad key, its variable and what is allowed", () => {
    const attempt = () => loadStageConfig("dev", { TGE_SCHEDULING_STRATEGY: "fastest", TGE_HEALTH_CHECK_INTERVAL: "soon" });
    expect(attempt).toThrow(InvalidStageConfigError);
    expect(attempt).toThrow(/schedulingStrategy \(TGE_SCHEDULING_STRATEGY\):.*round_robin/);
    expect(attempt).toThrow(/healthCheckInterval \(TGE_HEALTH_CHECK_INTERVAL\)/);
  });

  it("refuses a TGE_ variable that is not a key, so a typo cannot pass silently", () => {
    expect(() => loadStageConfig("dev", { TGE_SCHEDULING_STRATEGIE: "adaptive" })).toThrow(
      /TGE_SCHEDULING_STRATEGIE: is not a configuration key/,
    );
  });

  it("refuses an unknown stage", () => {
    expect(() => loadStageConfig("staging", {})).toThrow(/stage: "staging" is not one of local, dev, prod/);
  });

  it("names variables in upper snake case", () => {
    expect(envVarFor("requireApprovalThreshold")).toBe("TGE_REQUIRE_APPROVAL_THRESHOLD");
  });
});
