// What a tracer reads as a request's path (url.path), from the target as
// it came: origin form, absolute form (a proxy's), or neither.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { targetPath } from "../../src/http/request-target.ts";

describe("targetPath()", () => {
  it("is the path alone, without query, fragment, scheme, credentials or host", () => {
    const cases: Array<[string, string]> = [
      ["/users?id=1", "/users"],
      ["/users#top", "/users"],
      ["/", "/"],
      ["http://example.com/users?id=1", "/users"],
      ["http://user:secret@example.com:8080/report?token=x", "/report"],
      ["http://example.com", "/"],
      ["http://example.com?x=1", "/"],
      ["*", "*"],
    ];
    assert.deepEqual(
      cases.map(([target]) => [target, targetPath(target)]),
      cases,
    );
  });
});
