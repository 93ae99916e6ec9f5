import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { applyEmulatorCompat, EmulatorCompatStageError } from "../../../scripts/local/emulator-compat";

describe("emulator compatibility rewrites", () => {
  it("refuse every stage but local", () => {
    for (const stage of ["dev", "prod"]) {
      expect(() => applyEmulatorCompat(new App(), "http://127.0.0.1:4566", stage), stage).toThrow(EmulatorCompatStageError);
    }
    // Control: the local stage takes them.
    expect(() => applyEmulatorCompat(new App(), "http://127.0.0.1:4566", "local")).not.toThrow();
  });
});
