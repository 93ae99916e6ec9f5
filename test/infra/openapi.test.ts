import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, OPERATIONS } from "../../scripts/openapi/document";
import { OPENAPI_FILE } from "../../scripts/openapi/write";
import { synthesize } from "./support/synth";

describe("docs/api/openapi.json", () => {
  it("is what `npm run openapi` generates from the current schemas", () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));
    expect(committed, "run `npm run openapi` and commit the result").toEqual(buildOpenApiDocument());
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    await expect(SwaggerParser.validate(structuredClone(buildOpenApiDocument()) as never)).resolves.toBeDefined();
  });

  it("documents exactly the routes the CDK app defines", () => {
    const { stacks } = synthesize("dev");
    const deployed = Object.values(stacks)
      .flatMap((stack) => Object.values(Template.fromStack(stack).findResources("AWS::ApiGatewayV2::Route")))
      .map((route) => String((route.Properties as { RouteKey: string }).RouteKey))
      .filter((key) => /^(GET|POST|PUT|DELETE|PATCH) \//.test(key))
      .sort();
    const documented = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    expect(documented).toEqual(deployed);
  });
});
