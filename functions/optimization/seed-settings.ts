import * as z from "zod";
import { seedSettings } from "#optimization/domain/seed";
import { SettingsName } from "#optimization/domain/settings-catalog";
import { instrumented } from "#shared/instrumented";
import { jsonText } from "#shared/json-text";
import { logger } from "#shared/powertools";
import { bucket, clock, ledger } from "./wiring";

/** The CloudFormation custom resource event (its properties carry the stage's default documents as JSON). */
const SeedEvent = z.object({
  RequestType: z.enum(["Create", "Update", "Delete"]),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z.object({ Documents: jsonText(z.record(SettingsName, z.unknown())) }),
});

const PHYSICAL_ID = "settings-documents";

async function respond(event: z.infer<typeof SeedEvent>, status: "SUCCESS" | "FAILED", reason: string, data = {}) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 1_000),
    PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const response = await fetch(event.ResponseURL, {
    method: "PUT",
    headers: { "content-type": "", "content-length": String(Buffer.byteLength(body)) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`CloudFormation refused the custom resource response: ${response.status}`);
}

/**
 * At deploy: puts each settings document's default into the bucket — its first version, or a
 * new one when the default changed and only deploys ever wrote it; never over a tuned version.
 * Always answers CloudFormation (SUCCESS or FAILED with the reason), so a deploy never hangs.
 */
export const handler = instrumented(
  async (raw: unknown) => {
    const event = SeedEvent.parse(raw);
    if (event.RequestType === "Delete") {
      // The bucket and its versions go (or stay) with the stack's removal policy; nothing to undo here.
      await respond(event, "SUCCESS", "nothing to delete");
      return { results: {} };
    }
    try {
      const results = await seedSettings(event.ResourceProperties.Documents as Record<SettingsName, unknown>, {
        bucket: bucket(),
        ledger: ledger(),
        clock,
      });
      logger.info("settings documents seeded", { results });
      await respond(event, "SUCCESS", "seeded", results);
      return { results };
    } catch (error) {
      logger.error("seeding the settings documents failed", { error });
      await respond(event, "FAILED", error instanceof Error ? error.message : String(error));
      throw error;
    }
  },
  (result) => ({ seeded: Object.keys(result.results).length }),
);
