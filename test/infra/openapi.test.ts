import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../scripts/openapi/document";
import { ALL_ROUTES } from "../../scripts/openapi/route-tables";
import { routeKey } from "#shared/routes";
import { roleMatrix } from "../../scripts/openapi/role-matrix";
import { OPENAPI_FILE, ROLE_MATRIX_FILE } from "../../scripts/openapi/write";
import { synthesize } from "./support/synth";

describe("docs/api/openapi.json", () => {
  it("is what `npm run openapi` generates from the current schemas", () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));
    expect(committed, "run `npm run openapi` and commit the result").toEqual(buildOpenApiDocument());
  });

  it("comes with the route × role matrix `npm run openapi` generates (docs/api/routes.md)", () => {
    expect(readFileSync(ROLE_MATRIX_FILE, "utf8"), "run `npm run openapi` and commit the result").toBe(roleMatrix());
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    await expect(SwaggerParser.validate(structuredClone(buildOpenApiDocument()) as never)).resolves.toBeDefined();
  });

  it("the route tables hold exactly the routes the CDK app defines", () => {
    const { stacks } = synthesize("dev");
    const deployed = Object.values(stacks)
      .flatMap((stack) => Object.values(Template.fromStack(stack).findResources("AWS::ApiGatewayV2::Route")))
      .map((route) => String((route.Properties as { RouteKey: string }).RouteKey))
      .filter((key) => /^(GET|POST|PUT|DELETE|PATCH) \//.test(key))
      .sort();
    const documented = ALL_ROUTES.map(routeKey).sort();
    expect(documented).toEqual(deployed);
  });
});
