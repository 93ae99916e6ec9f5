// npm run restore -- <data-export job id>
// Puts a local data-export back into the tables it was taken from: every row missing from a
// table is restored, no existing row is overwritten (docs/runbooks/restore.md, "Local drill").
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { exportManifestKey } from "#jobs/domain/data-export";
import { useEmulator } from "./local/aws-env";
import { readLocalOutputs } from "./local/outputs";
import { restoreExport } from "./ops/restore-export";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const jobId = process.argv[2];
if (!jobId) {
  console.error("usage: npm run restore -- <the jobId of a succeeded data-export job>");
  process.exit(2);
}
try {
  const outputs = readLocalOutputs();
  useEmulator(outputs.endpoint);
  const s3 = new S3Client({ forcePathStyle: true });
  const dynamo = new DynamoDBClient({});
  const manifest = { bucket: outputs.JobArtifactsBucketName, key: exportManifestKey(jobId) };
  const result = await restoreExport({ s3, dynamo, manifest, tables: "as-exported" });
  for (const table of result.tables) {
    console.log(
      `${table.table} (${table.tableName}): ${table.items} rows exported, ${table.restored} restored, ${table.kept} already there`,
    );
  }
  console.log(`restored in ${result.elapsedMs} ms, as of ${result.exportStartedAt}`);
} catch (error) {
  console.error(`Could not restore: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Is `npm start` running, and did the data-export job succeed?");
  process.exit(1);
}
