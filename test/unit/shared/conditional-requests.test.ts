import { describe, expect, it } from "vitest";
import { entityTags, etagOf, nextLink, notModified, PreconditionFailedError, requireMatch } from "#shared/conditional-requests";

describe("conditional requests (RFC 9110)", () => {
  it("tag a body by its bytes: the same body the same tag, any change another", () => {
    expect(etagOf('{"a":1}')).toBe(etagOf('{"a":1}'));
    expect(etagOf('{"a":1}')).not.toBe(etagOf('{"a":2}'));
    expect(etagOf("x")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it("read If-None-Match / If-Match lists, and `*`", () => {
    expect(entityTags(undefined)).toBeUndefined();
    expect(entityTags(" ")).toBeUndefined();
    expect(entityTags("*")).toBe("*");
    expect(entityTags('"a", W/"b" ,"c"')).toEqual(['"a"', 'W/"b"', '"c"']);
  });

  it("answer 304 only to a matching If-None-Match (weak comparison)", () => {
    expect(notModified(undefined, '"a"')).toBe(false);
    expect(notModified('"b"', '"a"')).toBe(false);
    expect(notModified('"b", "a"', '"a"')).toBe(true);
    expect(notModified('W/"a"', '"a"')).toBe(true);
    expect(notModified("*", '"a"')).toBe(true);
  });

  it("let a write through only with a matching If-Match (strong comparison), or none", () => {
    expect(() => requireMatch(undefined, "task t", '"v1"')).not.toThrow();
    expect(() => requireMatch('"v1"', "task t", '"v1"')).not.toThrow();
    expect(() => requireMatch("*", "task t", '"v1"')).not.toThrow();
    expect(() => requireMatch('"v0"', "task t", '"v1"')).toThrow(PreconditionFailedError);
    expect(() => requireMatch('W/"v1"', "task t", '"v1"')).toThrow(PreconditionFailedError);
    expect(() => requireMatch("*", "task t", undefined)).toThrow(expect.objectContaining({ status: 412 }));
  });

  it("link the next page as a query-only reference, keeping the other parameters", () => {
    expect(nextLink("status=queued&limit=2&cursor=old", "new=")).toBe('<?status=queued&limit=2&cursor=new%3D>; rel="next"');
    expect(nextLink(undefined, "abc")).toBe('<?cursor=abc>; rel="next"');
  });
});
