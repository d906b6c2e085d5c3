/**
 * The seed's Python behaviours, checked against Python itself: random query strings and values
 * built from the characters that matter (separators, escapes, plus, UTF-8 fragments) are run
 * through CPython's parse_qs and json.dumps and through our reimplementations.
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pythonJsonDumps, pythonParseQs, pythonUnquote, rawQuery } from "../../worker/http/python-compat.ts";

function python(script: string, input: unknown): unknown {
  const output = execFileSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  return JSON.parse(output);
}

const PARSE_QS = `
import json, sys, urllib.parse
queries = json.load(sys.stdin)
print(json.dumps([urllib.parse.parse_qs(q) for q in queries]))
`;

const DUMPS = `
import json, sys
values = json.load(sys.stdin)
print(json.dumps([json.dumps(v) for v in values]))
`;

const queryPieces = [
  "a",
  "input_file",
  "job_id",
  "=",
  "&",
  "+",
  "%",
  "%2B",
  "%20",
  "%E3%81",
  "%82",
  "%zz",
  "%4",
  ";",
  "é",
  "ü",
  "🎬",
  " ",
  "_",
  "%5F",
  "%00",
  "x",
];

describe("parse_qs", () => {
  it("matches CPython's urllib.parse.parse_qs on 400 random query strings", () => {
    const queries = fc.sample(
      fc.array(fc.constantFrom(...queryPieces), { maxLength: 12 }).map((parts) => parts.join("")),
      { numRuns: 400, seed: 20261121 },
    );
    const expected = python(PARSE_QS, queries) as Array<Record<string, string[]>>;
    queries.forEach((query, index) => {
      expect(Object.fromEntries(pythonParseQs(query)), JSON.stringify(query)).toEqual(expected[index]);
    });
  });

  it.each([
    ["input_file=Big+Buck+Bunny.mp4", { input_file: ["Big Buck Bunny.mp4"] }],
    ["a=1&a=2&b=", { a: ["1", "2"] }],
    ["a=%zz&b=%E3%81%82&c=%E3%81", { a: ["%zz"], b: ["あ"], c: ["\ufffd"] }],
    ["a=1;b=2", { a: ["1;b=2"] }],
    ["a==b&=x", { a: ["=b"], "": ["x"] }],
  ])("%s", (query, expected) => {
    expect(Object.fromEntries(pythonParseQs(query))).toEqual(expected);
  });

  it("reads the raw query string as CloudFront hands it to Lambda@Edge", () => {
    expect(rawQuery("https://x.test/api/media/status?job_id=a+b%2B#frag")).toBe("job_id=a+b%2B");
    expect(rawQuery("https://x.test/api/media/status")).toBe("");
    // No fragment: the query runs to the end of the URL (the status poll's case).
    expect(rawQuery("https://x.test/api/media/status?job_id=a")).toBe("job_id=a");
    expect(rawQuery("https://x.test/api/media/status?")).toBe("");
  });

  it("unquotes without touching strings that have no escapes", () => {
    expect(pythonUnquote("plain+text")).toBe("plain+text");
    expect(pythonUnquote("%EF%BB%BFbom")).toBe("\ufeffbom");
  });
});

describe("json.dumps", () => {
  it("matches CPython's json.dumps on random strings, numbers and nested objects", () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string({ unit: "binary", maxLength: 12 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.boolean(),
        fc.constant(null),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    // Lone surrogates cannot travel through JSON to Python intact; keep to well-formed strings.
    const values = fc
      .sample(value, { numRuns: 300, seed: 8216 })
      .filter((sample) => JSON.stringify(sample).isWellFormed());
    const expected = python(DUMPS, values) as string[];
    values.forEach((sample, index) => expect(pythonJsonDumps(sample)).toBe(expected[index]));
  });

  it("matches CPython's json.dumps on ASCII strings (the unescaped fast path and its edges)", () => {
    // Printable ASCII, which is quoted as it is, mixed with what must be escaped next to it.
    const unit = fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 1 }),
      fc.constantFrom('"', "\\", "\u0000", "\u001f", "\u007f", "\u0080", "é"),
    );
    const values = fc.sample(fc.array(fc.string({ unit, maxLength: 16 }), { maxLength: 4 }), {
      numRuns: 300,
      seed: 12,
    });
    const expected = python(DUMPS, values) as string[];
    values.forEach((sample, index) => expect(pythonJsonDumps(sample)).toBe(expected[index]));
  });

  it("writes the seed's error body byte for byte", () => {
    expect(pythonJsonDumps({ success: false, message: "Not found item." })).toBe(
      '{"success": false, "message": "Not found item."}',
    );
    expect(pythonJsonDumps({ m: "é🎬\u007f\u0001" })).toBe('{"m": "\\u00e9\\ud83c\\udfac\\u007f\\u0001"}');
  });
});
