import { describe, expect, it } from "vitest";
import { type ObservedTask, planFleet } from "../../../scripts/local/fleet-plan";

const running = (taskArn: string): ObservedTask => ({ taskArn, lastStatus: "RUNNING", desiredStatus: "RUNNING" });
/** A task restored from a saved state: STOPPED, but still wanted. */
const restored = (taskArn: string): ObservedTask => ({ taskArn, lastStatus: "STOPPED", desiredStatus: "RUNNING" });
const none = new Set<string>();

describe("planFleet", () => {
  it("starts one process per running task, and none for a task restored STOPPED", () => {
    const plan = planFleet({
      tasks: [restored("old"), running("new")],
      processes: none,
      stopping: none,
      announced: none,
      desired: 1,
    });
    expect(plan).toEqual({ launch: ["new"], retire: [], ghosts: ["old"], nudge: false });
  });

  it("never starts a second process for a task, nor one for a task whose process is still stopping", () => {
    const plan = planFleet({
      tasks: [running("a"), running("b")],
      processes: new Set(["a"]),
      stopping: new Set(["b"]),
      announced: none,
      desired: 2,
    });
    expect(plan.launch).toEqual([]);
  });

  it("stops the process of a task ECS no longer runs, and announces a restored task's stop once", () => {
    const plan = planFleet({
      tasks: [restored("old")],
      processes: new Set(["old", "gone"]),
      stopping: none,
      announced: new Set(["old"]),
      desired: 1,
    });
    expect(plan).toEqual({ launch: [], retire: ["old", "gone"], ghosts: [], nudge: true });
  });

  it("nudges a service that runs fewer tasks than it wants (restored STOPPED ones do not count)", () => {
    expect(planFleet({ tasks: [restored("old")], processes: none, stopping: none, announced: none, desired: 1 }).nudge).toBe(
      true,
    );
    expect(planFleet({ tasks: [running("a")], processes: none, stopping: none, announced: none, desired: 1 }).nudge).toBe(false);
  });
});
