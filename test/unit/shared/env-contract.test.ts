import { describe, expect, it } from "vitest";
import * as z from "zod";
import { InvalidEnvironmentError } from "#shared/env";
import { envContract, envVar } from "#shared/env-contract";

const Tables = envContract({ TASKS_TABLE: envVar.name(), RETRIES: envVar.int({ min: 0, max: 10 }) });
const Feeds = envContract({
  FEED_URLS: envVar.list(z.url()),
  STRATEGY: envVar.oneOf(["round_robin", "adaptive"] as const),
  ENABLED: envVar.bool(),
  QUEUES: envVar.json(z.object({ high: z.url() })),
});

describe("environment contracts", () => {
  it("read back exactly what the construct wrote", () => {
    const both = Tables.and(Feeds);
    const values = {
      TASKS_TABLE: "tasks",
      RETRIES: 3,
      FEED_URLS: ["https://a.example/feed.json", "https://b.example/feed.json"],
      STRATEGY: "adaptive" as const,
      ENABLED: false,
      QUEUES: { high: "https://sqs.example/high" },
    };
    const environment = both.toEnvironment(values);
    expect(environment).toEqual({
      TASKS_TABLE: "tasks",
      RETRIES: "3",
      FEED_URLS: "https://a.example/feed.json,https://b.example/feed.json",
      STRATEGY: "adaptive",
      ENABLED: "false",
      QUEUES: '{"high":"https://sqs.example/high"}',
    });
    expect(both.read(environment)).toEqual(values);
  });

  it("fail at once, naming every missing or bad variable, with no default filled in", () => {
    const error = (() => {
      try {
        Tables.and(Feeds).read({ RETRIES: "eleven", FEED_URLS: "not a url", ENABLED: "yes", QUEUES: "{" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    const problems = (error as InvalidEnvironmentError).problems.map((p) => p.split(":")[0]).sort();
    expect(problems).toEqual(["ENABLED", "FEED_URLS.0", "QUEUES", "RETRIES", "STRATEGY", "TASKS_TABLE"]);
  });

  it("read an empty list as none", () => {
    expect(
      Feeds.read({ FEED_URLS: "", STRATEGY: "adaptive", ENABLED: "true", QUEUES: '{"high":"https://q.example"}' }).FEED_URLS,
    ).toEqual([]);
  });

  it("read an absent list as the empty one it was written as (Fargate drops empty variables), and nothing else", () => {
    const rest = { STRATEGY: "adaptive", ENABLED: "true", QUEUES: '{"high":"https://q.example"}' };
    expect(Feeds.read(rest).FEED_URLS).toEqual([]);
    // The control: any other kind of variable, absent, is still an error.
    expect(() => Feeds.read({ ...rest, ENABLED: undefined })).toThrow(/ENABLED/);
  });
});
