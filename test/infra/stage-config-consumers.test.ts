import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { envVarFor, loadStageConfig, STAGE_DEFAULTS, StageConfig } from "../../lib/config/stage-config";
import type { SwarmStacks } from "../../lib/swarm-app";
import { type ConfigPlace, CONSUMERS } from "../support/stage-config-consumers";
import { synthesize } from "./support/synth";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** What a synthesized app holds at each kind of place: variables' values, resources by type, stack env. */
interface Snapshot {
  readonly variables: Map<string, string[]>;
  readonly resources: Map<string, string>;
  readonly stacks: { account: string; region: string }[];
  readonly templates: string;
}

function snapshot(stacks: SwarmStacks): Snapshot {
  const variables = new Map<string, string[]>();
  const resources = new Map<string, string[]>();
  const all = Object.values(stacks).filter((stack) => stack !== undefined);
  const templates: string[] = [];
  for (const stack of all) {
    const json = Template.fromStack(stack).toJSON() as { Resources: Resources };
    templates.push(JSON.stringify(json));
    for (const [id, resource] of Object.entries(json.Resources)) {
      resources.set(resource.Type, [...(resources.get(resource.Type) ?? []), JSON.stringify([id, resource])]);
      const lambda = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      const containers = (resource.Properties?.ContainerDefinitions ?? []) as {
        Environment?: { Name: string; Value: unknown }[];
      }[];
      const pairs = [
        ...Object.entries(lambda ?? {}),
        ...containers.flatMap((c) => (c.Environment ?? []).map((v): [string, unknown] => [v.Name, v.Value])),
      ];
      for (const [name, value] of pairs) variables.set(name, [...(variables.get(name) ?? []), JSON.stringify(value)]);
    }
  }
  return {
    variables: new Map([...variables].map(([name, values]) => [name, values.sort()])),
    resources: new Map([...resources].map(([type, list]) => [type, list.sort().join("\n")])),
    stacks: all.map((stack) => ({ account: String(stack.account), region: String(stack.region) })),
    templates: templates.join("\n"),
  };
}

/** What a place holds in a snapshot, to compare before and after a change. */
function at(place: ConfigPlace, app: Snapshot): string {
  if ("env" in place) return JSON.stringify(app.variables.get(place.env) ?? null);
  if ("resources" in place) return app.resources.get(place.resources) ?? "";
  return JSON.stringify(app.stacks.map((stack) => stack[place.stack]));
}

/** Another valid value for `key` on the dev stage, as its TGE_ variable would give it. */
function another(key: keyof StageConfig): string {
  const current = STAGE_DEFAULTS.dev[key];
  const schema = StageConfig.shape[key];
  const candidates =
    typeof current === "boolean"
      ? [String(!current)]
      : typeof current === "number"
        ? [current - 1, current + 1, 1, 3, 7, 30].map(String)
        : Array.isArray(current)
          ? ["https://feeds.example/held.json", "ops@example.com"]
          : schema instanceof z.ZodEnum
            ? schema.options.map(String)
            : key === "region"
              ? ["eu-west-1"]
              : ["123456789012"];
  const value = candidates.find(
    (candidate) =>
      candidate !== String(current) &&
      (() => {
        try {
          loadStageConfig("dev", { [envVarFor(key)]: candidate });
          return true;
        } catch {
          return false;
        }
      })(),
  );
  if (value === undefined) throw new Error(`no other valid value for ${key}`);
  return value;
}

/**
 * Synthesizes dev with one override. Each synth holds the thread for a second or more; yielding
 * after it lets the worker answer vitest's RPC on a loaded machine.
 */
async function synthWith(env: Record<string, string>): Promise<Snapshot> {
  const app = snapshot(synthesize("dev", { env }).stacks);
  await new Promise((resolve) => setImmediate(resolve));
  return app;
}

let baseline: Snapshot;
beforeAll(async () => {
  baseline = await synthWith({});
});

describe("every stage setting reaches the place it names (change it, and that place changes)", () => {
  it.each(Object.entries(CONSUMERS) as [keyof StageConfig, readonly ConfigPlace[]][])("%s", async (key, places) => {
    const value = another(key);
    const changed = await synthWith({ [envVarFor(key)]: value });

    for (const place of places) {
      if ("env" in place) expect(baseline.variables.has(place.env), `${place.env} is set somewhere`).toBe(true);
      expect(at(place, changed), `${key}=${value} changes ${JSON.stringify(place)}`).not.toBe(at(place, baseline));
    }
  });

  it("sees a change that misses the place it names (the control)", async () => {
    // idleMinutes reaches the scaler's IDLE_MINUTES, and no other variable.
    const changed = await synthWith({ TGE_IDLE_MINUTES: another("idleMinutes") });

    expect(at({ env: "IDLE_MINUTES" }, changed)).not.toBe(at({ env: "IDLE_MINUTES" }, baseline));
    expect(at({ env: "TARGET_LATENCY_SECONDS" }, changed)).toBe(at({ env: "TARGET_LATENCY_SECONDS" }, baseline));
  });
});
