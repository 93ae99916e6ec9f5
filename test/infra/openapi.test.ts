import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { API_VERSIONS, type ApiVersion, pathsOf } from "#shared/routes";
import { buildOpenApiDocument } from "../../scripts/openapi/document";
import { roleMatrix } from "../../scripts/openapi/role-matrix";
import { ALL_ROUTES } from "../../scripts/openapi/route-tables";
import { openApiFile, ROLE_MATRIX_FILE } from "../../scripts/openapi/write";
import { synthesize } from "./support/synth";

const VERSIONS = Object.keys(API_VERSIONS) as ApiVersion[];

describe.each(VERSIONS)("docs/api/%s/openapi.json", (version) => {
  it("is what `npm run openapi` generates from the route tables", () => {
    const committed = JSON.parse(readFileSync(openApiFile(version), "utf8"));
    expect(committed, "run `npm run openapi` and commit the result").toEqual(buildOpenApiDocument(version));
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    await expect(SwaggerParser.validate(structuredClone(buildOpenApiDocument(version)) as never)).resolves.toBeDefined();
  });
});

describe("the route tables", () => {
  it("come with the route × role matrix `npm run openapi` generates (docs/api/routes.md)", () => {
    expect(readFileSync(ROLE_MATRIX_FILE, "utf8"), "run `npm run openapi` and commit the result").toBe(roleMatrix());
  });

  it("hold exactly the routes the CDK app defines, each at its versioned path and its unversioned alias", () => {
    const { stacks } = synthesize("dev");
    const deployed = Object.values(stacks)
      .flatMap((stack) => Object.values(Template.fromStack(stack).findResources("AWS::ApiGatewayV2::Route")))
      .map((route) => String((route.Properties as { RouteKey: string }).RouteKey))
      .filter((key) => /^(GET|POST|PUT|DELETE|PATCH) \//.test(key))
      .sort();
    const declared = ALL_ROUTES.flatMap((route) => pathsOf(route).map(({ path }) => `${route.method} ${path}`)).sort();
    expect(declared).toEqual(deployed);
    expect(deployed).toContain("GET /api/tasks/{taskId}");
    expect(deployed).toContain("GET /api/v1/tasks/{taskId}");
  });
});
