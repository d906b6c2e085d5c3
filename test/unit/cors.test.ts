import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantedRequestHeaders } from "../../worker/http/cors.ts";
import { decideCors, isOriginAllowed, parseAllowedOrigins } from "../../worker/origins.ts";

describe("parseAllowedOrigins", () => {
  it("reads exact origins and subdomain patterns, comma- or space-separated", () => {
    expect(parseAllowedOrigins(" https://app.example.com,https://*.example.org  http://localhost:3000 ")).toEqual([
      { kind: "exact", origin: "https://app.example.com" },
      { kind: "subdomains", scheme: "https", suffix: "example.org", port: "" },
      { kind: "exact", origin: "http://localhost:3000" },
    ]);
  });

  it.each([
    ["*", /not allowed/],
    ["null", /not allowed/],
    ["https://.*\\.nightonly\\.com", /not an origin/],
    ["https://App.example.com", /not an origin/],
    ["https://app.example.com/", /not an origin/],
    ["https://app.example.com:443", /default port/],
    ["https://*.com", /at least two labels/],
    ["app.example.com", /not an origin/],
    ["", /lists no origin/],
  ])("refuses %j", (spec, message) => {
    expect(() => parseAllowedOrigins(spec)).toThrow(message);
  });
});

describe("isOriginAllowed", () => {
  const rules = parseAllowedOrigins("https://*.example.com http://localhost:3000");

  it("allows any depth of subdomain on the listed scheme and port only", () => {
    expect(isOriginAllowed("https://a.example.com", rules)).toBe(true);
    expect(isOriginAllowed("https://a.b.example.com", rules)).toBe(true);
    expect(isOriginAllowed("https://example.com", rules)).toBe(false);
    expect(isOriginAllowed("https://a.example.com:444", rules)).toBe(false);
    expect(isOriginAllowed("http://a.example.com", rules)).toBe(false);
  });

  it("never allows an origin whose host does not end in '.example.com' (property)", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: false, withFragments: false }), (url) => {
        const origin = new URL(url).origin;
        const host = new URL(url).hostname;
        if (isOriginAllowed(origin, rules)) {
          expect(host.endsWith(".example.com") || origin === "http://localhost:3000").toBe(true);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("allows every subdomain a browser could send for the pattern (property)", () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (labels) => {
        expect(isOriginAllowed(`https://${labels.join(".")}.example.com`, rules)).toBe(true);
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});

describe("decideCors and preflight headers", () => {
  const rules = parseAllowedOrigins("https://app.example.com");
  it("treats a missing or empty Origin as a non-CORS request", () => {
    expect(decideCors(undefined, rules)).toEqual({ kind: "no-origin" });
    expect(decideCors("", rules)).toEqual({ kind: "no-origin" });
    expect(decideCors("null", rules)).toEqual({ kind: "rejected", origin: "null" });
  });

  it("grants only allow-listed request headers", () => {
    expect(grantedRequestHeaders("Range, If-None-Match")).toEqual(["range", "if-none-match"]);
    expect(grantedRequestHeaders("range, x-evil")).toBeNull();
    expect(grantedRequestHeaders(null)).toEqual([]);
  });
});
