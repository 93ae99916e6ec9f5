import { CloudFormationClient, DescribeStacksCommand, paginateListStackResources } from "@aws-sdk/client-cloudformation";
import { CognitoIdentityProviderClient, DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeClustersCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeRuleCommand, EventBridgeClient, ListEventBusesCommand } from "@aws-sdk/client-eventbridge";
import { GetEventSourceMappingCommand, GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_REGION } from "./aws-env";

const clientConfig = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, requestHandler: { requestTimeout: 5_000 } });

interface Clients {
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly ecs: ECSClient;
  readonly events: EventBridgeClient;
  readonly cognito: CognitoIdentityProviderClient;
}

/** A check that a resource of one CloudFormation type is really there: answers what is wrong, or nothing. */
type Probe = (clients: Clients, physicalId: string) => Promise<string | undefined>;

/**
 * The resource types whose loss breaks the swarm, each with a read that proves it exists in the
 * emulator's own service (not only in CloudFormation's record of it): functions, their event
 * source mappings, queues, tables, the cluster and its services, rules, the user pool.
 */
const PROBES: Readonly<Record<string, Probe>> = {
  "AWS::Lambda::Function": async ({ lambda }, name) => {
    await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    return undefined;
  },
  "AWS::Lambda::EventSourceMapping": async ({ lambda }, uuid) => {
    const { State } = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    return State === "Enabled" ? undefined : `is ${State ?? "in no state"}`;
  },
  "AWS::SQS::Queue": async ({ sqs }, url) => {
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
    return undefined;
  },
  "AWS::DynamoDB::Table": async ({ dynamodb }, name) => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return Table?.TableStatus === "ACTIVE" ? undefined : `is ${Table?.TableStatus ?? "in no state"}`;
  },
  "AWS::ECS::Cluster": async ({ ecs }, name) => {
    const { clusters = [] } = await ecs.send(new DescribeClustersCommand({ clusters: [name] }));
    return clusters[0]?.status === "ACTIVE" ? undefined : "is not an active cluster";
  },
  "AWS::ECS::Service": async ({ ecs }, arn) => {
    // arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
    const [, cluster] = arn.split(":").pop()?.split("/") ?? [];
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: [arn] }));
    return services[0]?.status === "ACTIVE" ? undefined : "is not an active service";
  },
  "AWS::Events::Rule": async ({ events }, id) => {
    // CloudFormation names a rule without its bus ("<bus>|<rule>" on AWS, the bare name here), so each bus is asked.
    const rule = id.split("|").pop() ?? id;
    const { EventBuses = [] } = await events.send(new ListEventBusesCommand({}));
    for (const bus of EventBuses) {
      const found = await events
        .send(new DescribeRuleCommand({ Name: rule, EventBusName: bus.Name }))
        .then(() => true)
        .catch(() => false);
      if (found) return undefined;
    }
    return `is on none of the buses (${EventBuses.map((bus) => bus.Name).join(", ")})`;
  },
  "AWS::Cognito::UserPool": async ({ cognito }, id) => {
    await cognito.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    return undefined;
  },
};

const why = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * What is missing from a deployment: every stack must be complete, and every resource of the
 * kinds in `PROBES` that CloudFormation lists must answer in its own service. An empty answer
 * means the deployment is verifiably there — which a matching fingerprint alone does not show:
 * a half-saved emulator state keeps CloudFormation's records of functions it lost.
 */
export async function missingFromDeployment(endpoint: string, stackNames: readonly string[]): Promise<string[]> {
  const cloudformation = new CloudFormationClient(clientConfig(endpoint));
  const clients: Clients = {
    lambda: new LambdaClient(clientConfig(endpoint)),
    sqs: new SQSClient(clientConfig(endpoint)),
    dynamodb: new DynamoDBClient(clientConfig(endpoint)),
    ecs: new ECSClient(clientConfig(endpoint)),
    events: new EventBridgeClient(clientConfig(endpoint)),
    cognito: new CognitoIdentityProviderClient(clientConfig(endpoint)),
  };
  const problems: string[] = [];
  try {
    for (const StackName of stackNames) {
      const status = await cloudformation
        .send(new DescribeStacksCommand({ StackName }))
        .then(({ Stacks }) => Stacks?.[0]?.StackStatus ?? "missing")
        .catch((error: unknown) => `unreadable (${why(error)})`);
      if (!status.endsWith("_COMPLETE") || status.includes("ROLLBACK") || status.startsWith("DELETE")) {
        problems.push(`stack ${StackName} is ${status}`);
        continue;
      }
      for await (const page of paginateListStackResources({ client: cloudformation }, { StackName })) {
        for (const resource of page.StackResourceSummaries ?? []) {
          const probe = PROBES[resource.ResourceType ?? ""];
          if (!probe || !resource.PhysicalResourceId) continue;
          const problem = await probe(clients, resource.PhysicalResourceId).catch(why);
          if (problem)
            problems.push(`${resource.ResourceType} ${resource.LogicalResourceId} (${resource.PhysicalResourceId}) ${problem}`);
        }
      }
    }
  } finally {
    cloudformation.destroy();
    for (const client of Object.values(clients)) client.destroy();
  }
  return problems;
}
