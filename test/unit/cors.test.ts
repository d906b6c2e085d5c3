import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grantedRequestHeaders } from "../../worker/http/cors.ts";
import {
  DECIDED_ORIGINS,
  REMEMBERED_ORIGIN_LENGTH,
  decideCors,
  isOriginAllowed,
  isOriginOf,
  originMatcher,
  parseAllowedOrigins,
  type CorsDecision,
} from "../../worker/origins.ts";

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

  it("grants every request header asked for, by name, and nothing for a list that is not header names", () => {
    expect(grantedRequestHeaders("Range, If-None-Match")).toEqual(["range", "if-none-match"]);
    expect(grantedRequestHeaders("content-type,X-Requested-With")).toEqual(["content-type", "x-requested-with"]);
    expect(grantedRequestHeaders(" , authorization ,")).toEqual(["authorization"]);
    expect(grantedRequestHeaders("range, x y")).toBeNull();
    expect(grantedRequestHeaders("range, x:y")).toBeNull();
    expect(grantedRequestHeaders(null)).toEqual([]);
    expect(grantedRequestHeaders("")).toEqual([]);
  });
});

describe("isOriginOf (the same-origin check, without a URL parse per request)", () => {
  it("agrees with new URL(url).origin for request URLs and Origin headers of every shape (property)", () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    // Candidate origins: the URL's own, its text before the path (userinfo included), and other URLs' origins and prefixes.
    fc.assert(
      fc.property(url, url, fc.nat(40), (first, second, cut) => {
        const href = new URL(first).href;
        const candidates = [
          new URL(first).origin,
          href.slice(0, href.indexOf("/", href.indexOf("://") + 3)),
          new URL(second).origin,
          href.slice(0, cut),
          `${new URL(first).origin}/`,
        ];
        for (const origin of candidates) {
          expect(isOriginOf(origin, href)).toBe(origin === new URL(href).origin);
        }
      }),
      { seed: 12, numRuns: 1000 },
    );
  });

  it("refuses userinfo, a path, another port or scheme", () => {
    expect(isOriginOf("http://127.0.0.1:8787", "http://127.0.0.1:8787/api/media/status?job_id=x")).toBe(true);
    expect(isOriginOf("https://[::1]", "https://[::1]/x")).toBe(true);
    expect(isOriginOf("http://u@127.0.0.1:8787", "http://u@127.0.0.1:8787/")).toBe(false);
    expect(isOriginOf("http://127.0.0.1:8787/api", "http://127.0.0.1:8787/api/media")).toBe(false);
    expect(isOriginOf("http://127.0.0.1:8788", "http://127.0.0.1:8787/")).toBe(false);
    expect(isOriginOf("https://127.0.0.1:8787", "http://127.0.0.1:8787/")).toBe(false);
  });
});

describe("originMatcher's remembered decisions", () => {
  it("answers every origin as a fresh decision would, past the bound and when asked again", () => {
    const rules = parseAllowedOrigins("https://*.example.com http://localhost:3000");
    const matcher = originMatcher(rules);
    const origins = Array.from({ length: 600 }, (_, index) =>
      index % 3 === 0 ? `https://a${index}.example.com` : index % 3 === 1 ? `https://a${index}.evil.net` : "",
    );
    for (const origin of [...origins, ...origins.reverse()]) {
      expect(matcher(origin)).toEqual(decideCors(origin, rules));
    }
  });

  it("keeps at most DECIDED_ORIGINS of them, none longer than an origin can be", () => {
    const rules = parseAllowedOrigins("https://*.example.com");
    const remembered = new Map<string, CorsDecision>();
    const matcher = originMatcher(rules, remembered);
    // Four 60-character labels: a host near DNS's 253-character limit, so an origin near the longest.
    const longest = `https://${`${"a".repeat(60)}.`.repeat(4)}example.com`;
    expect(longest.length).toBeLessThanOrEqual(REMEMBERED_ORIGIN_LENGTH);
    expect(matcher(longest)).toEqual({ kind: "allowed", origin: longest });
    expect([...remembered.keys()]).toEqual([longest]);
    // A client can send an Origin of ~16 KB, each one different: decided, never kept.
    for (let index = 0; index < 3; index++) {
      const huge = `https://${"a".repeat(16_000)}${index}.example.com`;
      expect(matcher(huge)).toEqual(decideCors(huge, rules));
    }
    expect(remembered.size).toBe(1);
    for (let index = 0; index < DECIDED_ORIGINS * 2; index++) matcher(`https://a${index}.example.com`);
    expect(remembered.size).toBeLessThanOrEqual(DECIDED_ORIGINS);
  });
});
