import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AgentType } from "#kernel/agent-catalog";
import type { TaskStore } from "#tasks/domain/ports";
import type { Task } from "#tasks/domain/task";
import { IllegalTransitionError, planTransition, type TaskEvent } from "#tasks/domain/task-state-machine";
import { aTask, POLICY } from "./tasks";

export interface TaskStoreUnderTest {
  readonly store: TaskStore;
  /** The agent type the contract's tasks are for (the e2e tier picks one no agent serves). */
  readonly agentType: AgentType;
}

const expectRefused = async (attempt: Promise<unknown>, current: Partial<Task> | undefined) => {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IllegalTransitionError);
  if (current) expect((error as IllegalTransitionError).current).toMatchObject(current);
  else expect((error as IllegalTransitionError).current).toBeUndefined();
};

/** A new queued task with an id of its own, stored. */
async function stored({ store, agentType }: TaskStoreUnderTest, overrides: Partial<Task> = {}) {
  const task = aTask({
    taskId: `contract-${randomUUID()}`,
    agentType,
    priority: "low",
    queuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...overrides,
  });
  expect(await store.create(task)).toBe(true);
  return { store, task };
}
const plan = (event: TaskEvent) => planTransition(event, { now: new Date(), policy: POLICY, random: () => 0.5 });
const claim = (agentId: string, attempt = 1) => plan({ kind: "claim", agentId, attempt, leaseSeconds: 600 });

/**
 * What every TaskStore promises, each check a function of the store under test, so a control
 * can run one against a store that breaks it. `describeTaskStoreContract` runs them all against
 * each implementation: the in-memory store the unit tests use, and the DynamoDB adapter (over a
 * fake table in the unit tier, on the emulator in the e2e tier). A store that passes can stand
 * in for the other, so unit tests over the in-memory store say something about production.
 */
export const TASK_STORE_CHECKS: Readonly<Record<string, (underTest: TaskStoreUnderTest) => Promise<void>>> = {
  "creates a task once: a second create with the same id answers false and changes nothing": async (underTest) => {
    const { store, task } = await stored(underTest);

    expect(await store.create({ ...task, payload: { other: true } })).toBe(false);
    expect(await store.get(task.taskId)).toEqual(task);
  },

  "answers undefined for a task it does not hold": async (underTest) => {
    expect(await underTest.store.get(`contract-missing-${randomUUID()}`)).toBeUndefined();
  },

  "keeps any JSON payload and result unchanged (empty keys, deep nesting, nulls)": async (underTest) => {
    const payload = { "": { deep: [1, { x: null, y: [[[]]] }] }, unicode: "ünïcødé ✓" };
    const { store, task } = await stored(underTest, { payload });
    await store.apply(task.taskId, claim("agent-a"));
    const result = { "": [{ "": "" }], n: 0.5 };

    await store.apply(task.taskId, plan({ kind: "complete", agentId: "agent-a", attempt: 1, result }));

    expect(await store.get(task.taskId)).toMatchObject({ payload, result });
  },

  "applies a permitted transition: writes its fields, removes the ones it removes, and adds one to version": async (
    underTest,
  ) => {
    const { store, task } = await stored(underTest);

    const claimed = await store.apply(task.taskId, claim("agent-a"));
    const completed = await store.apply(task.taskId, plan({ kind: "complete", agentId: "agent-a", attempt: 1, result: {} }));

    expect(claimed).toMatchObject({ status: "running", agentId: "agent-a", version: task.version + 1 });
    expect(claimed.leaseExpiresAt).toBeDefined();
    expect(completed).toMatchObject({ status: "completed", version: task.version + 2 });
    expect(completed.leaseExpiresAt).toBeUndefined();
    expect(await store.get(task.taskId)).toEqual(completed);
  },

  "refuses a transition from a status it may not leave, reporting the task as it is and changing nothing": async (underTest) => {
    const { store, task } = await stored(underTest);

    await expectRefused(store.apply(task.taskId, plan({ kind: "complete", agentId: "agent-a", attempt: 1, result: {} })), {
      status: "queued",
      version: task.version,
    });
    expect(await store.get(task.taskId)).toEqual(task);
  },

  "refuses a transition whose expectations no longer hold (another attempt, another agent)": async (underTest) => {
    const { store, task } = await stored(underTest);
    await store.apply(task.taskId, claim("agent-a"));

    await expectRefused(store.apply(task.taskId, claim("agent-b", 2)), { status: "running", agentId: "agent-a" });
    await expectRefused(store.apply(task.taskId, plan({ kind: "complete", agentId: "agent-b", attempt: 1, result: {} })), {
      status: "running",
      agentId: "agent-a",
    });
    expect(await store.get(task.taskId)).toMatchObject({ status: "running", agentId: "agent-a", version: task.version + 1 });
  },

  "refuses to claim a task that expired in the queue": async (underTest) => {
    const { store, task } = await stored(underTest, { expiresAt: new Date(Date.now() - 1_000).toISOString() });

    await expectRefused(store.apply(task.taskId, claim("agent-a")), { status: "queued" });
  },

  "refuses any transition of a task it does not hold, reporting none": async (underTest) => {
    await expectRefused(underTest.store.apply(`contract-missing-${randomUUID()}`, claim("agent-a")), undefined);
  },

  "lets exactly one of ten racing claims win": async (underTest) => {
    const { store, task } = await stored(underTest);

    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.apply(task.taskId, claim(`racer-${i}`))));

    const winners = results.filter((r): r is PromiseFulfilledResult<Task> => r.status === "fulfilled");
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof IllegalTransitionError)).toHaveLength(9);
    expect(await store.get(task.taskId)).toMatchObject({ agentId: winners[0]?.value.agentId, version: task.version + 1 });
  },

  "re-queues a failed attempt as the next one, with what entering the queue writes": async (underTest) => {
    const { store, task } = await stored(underTest);
    await store.apply(task.taskId, claim("agent-a"));

    const retried = await store.apply(
      task.taskId,
      plan({
        kind: "fail",
        agentId: "agent-a",
        attempt: 1,
        attemptsAllowed: task.attemptsAllowed,
        error: { message: "upstream", retryable: true },
      }),
    );

    expect(retried).toMatchObject({ status: "queued", attempt: 2, error: { message: "upstream", retryable: true } });
    expect(retried.agentId).toBeUndefined();
    expect(retried.availableAt).toBeDefined();
    expect(await store.get(task.taskId)).toEqual(retried);
  },
};

/**
 * Runs every check of the contract against the store `underTest` gives.
 *
 * @example
 * describeTaskStoreContract("InMemoryTaskStore", () => ({ store: new InMemoryTaskStore(), agentType: "data-quality" }));
 */
export function describeTaskStoreContract(name: string, underTest: () => TaskStoreUnderTest): void {
  describe(`TaskStore contract: ${name}`, () => {
    for (const [title, check] of Object.entries(TASK_STORE_CHECKS)) it(title, () => check(underTest()));
  });
}
