import { CloudFormationClient, paginateListStackResources, type StackResourceSummary } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DynamoDbFleetLedger } from "#agents/adapters/dynamodb-fleet-ledger";
import { planLedgerWrite, retryOnConflict, type Versioned } from "#agents/domain/ledger-write";
import type { FleetLedger, ScalingRecord } from "#agents/domain/ports";
import type { FleetSample } from "#agents/domain/scaling";
import { UnconditionalFleetLedger } from "../../support/unconditional-fleet-ledger";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

const WRITERS = 50;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
let tableName: string;
/** The row as the deployment left it, put back afterwards for the scaler's tests. */
let before: Versioned<ScalingRecord>;

beforeAll(async () => {
  // The ledger table is no stack output of the local stage: find it among the agents stack's
  // resources (a TableV2 is an AWS::DynamoDB::GlobalTable).
  const cloudformation = new CloudFormationClient({});
  let table: StackResourceSummary | undefined;
  for await (const page of paginateListStackResources(
    { client: cloudformation },
    { StackName: `tge-swarm-${inject("config").stage}-agents` },
  )) {
    table ??= page.StackResourceSummaries?.find(
      (r) => r.ResourceType === "AWS::DynamoDB::GlobalTable" && r.LogicalResourceId?.startsWith("FleetLedger"),
    );
  }
  cloudformation.destroy();
  if (!table?.PhysicalResourceId) throw new Error("the agents stack has no FleetLedger table");
  tableName = table.PhysicalResourceId;
  before = await new DynamoDbFleetLedger(db, tableName).scaling(UNATTENDED_AGENT_TYPE);
});

afterAll(async () => {
  if (tableName) {
    const ledger = new DynamoDbFleetLedger(db, tableName);
    await retryOnConflict(async () => {
      const read = await ledger.scaling(UNATTENDED_AGENT_TYPE);
      await ledger.saveScaling(UNATTENDED_AGENT_TYPE, planLedgerWrite(read, before.value));
    });
  }
  db.destroy();
});

/** A sample no other writer makes: its `at` names the writer. */
const sampleOf = (writer: number): FleetSample => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, writer)).toISOString(),
  agents: 0,
  cpuPercent: 0,
  memoryPercent: 0,
  errorRate: 0,
  backlog: 0,
  running: 0,
});

/**
 * `WRITERS` callers at once, each reading the type's scaling row, adding its own sample and
 * writing it back, retried on a lost race as the scaler, the monitor and the agent API do.
 */
async function race(ledger: FleetLedger) {
  const type = UNATTENDED_AGENT_TYPE;
  const start = await ledger.scaling(type);
  await ledger.saveScaling(type, planLedgerWrite(start, { ...start.value, samples: [] }));
  const results = await Promise.allSettled(
    Array.from({ length: WRITERS }, (_, writer) =>
      retryOnConflict(async () => {
        const read = await ledger.scaling(type);
        await ledger.saveScaling(
          type,
          planLedgerWrite(read, { ...read.value, samples: [sampleOf(writer), ...read.value.samples] }),
        );
      }, WRITERS),
    ),
  );
  const end = await ledger.scaling(type);
  return { results, kept: new Set(end.value.samples.map((s) => s.at)), writes: end.version - start.version - 1 };
}

describe("fleet ledger", () => {
  it(`${WRITERS} read-modify-writes of one SCALING row at once: every one lands; without the condition, updates are lost`, async () => {
    // WHEN 50 callers update the row at once through the real, versioned ledger
    const real = await race(new DynamoDbFleetLedger(db, tableName));

    // THEN every one succeeded, its sample is in the row, and the row took exactly 50 writes
    expect(real.results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(real.kept).toEqual(new Set(Array.from({ length: WRITERS }, (_, w) => sampleOf(w).at)));
    expect(real.writes).toBe(WRITERS);

    // AND the control: the same race through the ledger as it was, with unconditional puts
    const naive = await race(new UnconditionalFleetLedger(db, tableName));
    // Every caller believes its write landed, yet samples are missing: those updates were lost.
    expect(naive.results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(naive.kept.size).toBeLessThan(WRITERS);
  });
});
