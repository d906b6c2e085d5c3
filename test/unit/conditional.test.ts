/**
 * RFC 9110 §13 preconditions as worker/http/conditional.ts evaluates them for segment requests;
 * each case quotes the sentence it enforces.
 */
import { describe, expect, it } from "vitest";
import { evaluatePreconditions, ifRangeHolds } from "../../worker/http/conditional.ts";

const object = { etag: '"abc"', lastModified: "Tue, 02 Jan 2024 00:00:00 GMT" };
const headers = (init: Record<string, string>) => new Headers(init);

describe("evaluatePreconditions (RFC 9110 §13.2.2)", () => {
  it("no condition: proceed", () => {
    expect(evaluatePreconditions(headers({}), object)).toBe("proceed");
  });

  // §13.1.1: "the origin server MUST NOT perform the requested method if the condition evaluates to
  // false" and "An origin server MUST use the strong comparison function when comparing entity-tags for If-Match".
  it("If-Match: strong comparison, a list, '*'; false -> failed", () => {
    expect(evaluatePreconditions(headers({ "if-match": '"abc"' }), object)).toBe("proceed");
    expect(evaluatePreconditions(headers({ "if-match": '"x", "abc"' }), object)).toBe("proceed");
    expect(evaluatePreconditions(headers({ "if-match": "*" }), object)).toBe("proceed");
    expect(evaluatePreconditions(headers({ "if-match": 'W/"abc"' }), object)).toBe("failed");
    expect(evaluatePreconditions(headers({ "if-match": '"other"' }), object)).toBe("failed");
  });

  // §13.1.4: "A recipient MUST ignore If-Unmodified-Since if the request contains an If-Match header field".
  it("If-Unmodified-Since: a later modification fails; ignored under If-Match or when invalid", () => {
    expect(evaluatePreconditions(headers({ "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }), object)).toBe(
      "failed",
    );
    expect(evaluatePreconditions(headers({ "if-unmodified-since": "Tue, 02 Jan 2024 00:00:00 GMT" }), object)).toBe(
      "proceed",
    );
    const both = { "if-match": '"abc"', "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" };
    expect(evaluatePreconditions(headers(both), object)).toBe("proceed");
    expect(evaluatePreconditions(headers({ "if-unmodified-since": "yesterday" }), object)).toBe("proceed");
  });

  // §13.1.2: "A recipient MUST use the weak comparison function when comparing entity-tags for If-None-Match".
  it("If-None-Match: weak comparison; a match -> not-modified", () => {
    expect(evaluatePreconditions(headers({ "if-none-match": 'W/"abc"' }), object)).toBe("not-modified");
    expect(evaluatePreconditions(headers({ "if-none-match": '"abc"' }), object)).toBe("not-modified");
    expect(evaluatePreconditions(headers({ "if-none-match": "*" }), object)).toBe("not-modified");
    expect(evaluatePreconditions(headers({ "if-none-match": '"other"' }), object)).toBe("proceed");
  });

  // §13.1.3: "A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match header field".
  it("If-Modified-Since: not modified since -> not-modified; ignored under If-None-Match", () => {
    expect(evaluatePreconditions(headers({ "if-modified-since": "Tue, 02 Jan 2024 00:00:00 GMT" }), object)).toBe(
      "not-modified",
    );
    expect(evaluatePreconditions(headers({ "if-modified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }), object)).toBe(
      "proceed",
    );
    const both = { "if-none-match": '"other"', "if-modified-since": "Wed, 03 Jan 2024 00:00:00 GMT" };
    expect(evaluatePreconditions(headers(both), object)).toBe("proceed");
  });

  // §13.2.2: If-Match is evaluated first: a failed If-Match is a 412 even when If-None-Match matches.
  it("evaluates If-Match before If-None-Match", () => {
    expect(evaluatePreconditions(headers({ "if-match": '"x"', "if-none-match": '"abc"' }), object)).toBe("failed");
  });
});

describe("ifRangeHolds (RFC 9110 §13.1.5)", () => {
  // "A valid entity-tag can be distinguished from a valid HTTP-date by examining the first three
  // characters for a DQUOTE"; "the condition is true if the entity-tag ... strongly matches".
  it("an entity tag must match strongly; a weak one never holds", () => {
    expect(ifRangeHolds(headers({}), object)).toBe(true);
    expect(ifRangeHolds(headers({ "if-range": '"abc"' }), object)).toBe(true);
    expect(ifRangeHolds(headers({ "if-range": 'W/"abc"' }), object)).toBe(false);
    expect(ifRangeHolds(headers({ "if-range": '"other"' }), object)).toBe(false);
  });

  it("a date must equal Last-Modified exactly", () => {
    expect(ifRangeHolds(headers({ "if-range": "Tue, 02 Jan 2024 00:00:00 GMT" }), object)).toBe(true);
    expect(ifRangeHolds(headers({ "if-range": "Wed, 03 Jan 2024 00:00:00 GMT" }), object)).toBe(false);
    expect(ifRangeHolds(headers({ "if-range": "garbage" }), object)).toBe(false);
  });
});
