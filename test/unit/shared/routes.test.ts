import { describe, expect, it } from "vitest";
import { deprecationHeaders, pathsOf, versionOf } from "#shared/routes";

describe("API versions", () => {
  it("serve a route at /api/v1/… and, as the current version, at its unversioned path", () => {
    expect(pathsOf({ path: "/api/tasks/{taskId}" })).toEqual([
      { path: "/api/tasks/{taskId}", version: "v1" },
      { path: "/api/v1/tasks/{taskId}", version: "v1" },
    ]);
  });

  it("tell the version of a call from the route key, the unversioned alias being the current one", () => {
    expect(versionOf("GET /api/v1/tasks/{taskId}")).toBe("v1");
    expect(versionOf("GET /api/tasks/{taskId}")).toBe("v1");
    expect(versionOf("GET /api/v9/tasks")).toBe("v1");
    expect(versionOf(undefined)).toBe("v1");
  });

  it("mark every answer of a deprecated version with Deprecation, Sunset and its successor", () => {
    expect(deprecationHeaders({})).toEqual({});
    expect(
      deprecationHeaders({ deprecated: { since: "2027-01-01T00:00:00Z", sunset: "2027-07-01T00:00:00Z", successor: "v2" } }),
    ).toEqual({
      deprecation: "@1798761600",
      sunset: "Thu, 01 Jul 2027 00:00:00 GMT",
      link: '</api/v2/>; rel="successor-version"',
    });
  });
});
