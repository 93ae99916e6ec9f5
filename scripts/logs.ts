// npm run logs -- <function name fragment> [--minutes 10]
// Prints recent CloudWatch log events of the local stack's functions whose name contains the fragment.
import { parseArgs } from "node:util";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { useEmulator } from "./local/aws-env";
import { readLocalOutputs } from "./local/outputs";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { minutes: { type: "string", default: "10" } } });
const outputs = readLocalOutputs();
useEmulator(outputs.endpoint);
const logs = new CloudWatchLogsClient({});
const fragment = (positionals[0] ?? "").toLowerCase();
const since = Date.now() - Number(values.minutes) * 60_000;

const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({}));
for (const group of logGroups.filter((g) => g.logGroupName?.toLowerCase().includes(fragment))) {
  const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: group.logGroupName, startTime: since }));
  if (events.length === 0) continue;
  console.log(`\n== ${group.logGroupName}`);
  for (const event of events) console.log(event.message?.trimEnd());
}
