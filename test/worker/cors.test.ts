/**
 * CORS through the real Worker. Test bindings: ALLOWED_ORIGINS =
 * "https://*.nightonly.com https://app.example.com,http://localhost:3000"
 * (see vitest.config.ts). https://portswigger.net/web-security/cors lists the bypasses tried here.
 */
import { describe, expect, it, vi } from "vitest";
import { call, callWith } from "./support/request.ts";

const PATH = "/api/media/status?job_id=cors-probe";

describe("allowed origins", () => {
  it.each([
    "https://app.nightonly.com",
    "https://a.b.nightonly.com",
    "https://app.example.com",
    "http://localhost:3000",
    "https://xn--bcher-kva.nightonly.com",
  ])("%s is reflected, with Vary: Origin", async (origin) => {
    const response = await call(PATH, { origin });
    expect(response.status).toBe(422); // reached the lookup: "Not found item."
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("vary")).toBe("Origin");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("serves a request without Origin (curl, server-side) with Vary but no CORS grant", async () => {
    const response = await call(PATH, { origin: null });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ success: false, message: "Not found item." });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("vary")).toBe("Origin");
  });

  it("serves an empty Origin header like the seed (treated as absent)", async () => {
    const response = await call(PATH, { origin: "" });
    expect(response.status).toBe(422);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("hostile origins are refused with 422 'ORIGIN is invalid.'", () => {
  const hostile = [
    "null",
    "https://nightonly.com", // the apex is not a subdomain
    "https://evilnightonly.com", // suffix without the dot
    "https://nightonly.com.evil.net", // prefix match
    "https://app.nightonly.com.evil.net",
    "https://app.nightonly.com.", // trailing dot
    "http://app.nightonly.com", // other scheme
    "https://app.nightonly.com:8443", // other port
    "https://app.nightonly.com:443", // default port spelled out: never sent by browsers
    "https://APP.nightonly.com", // uppercase: never sent by browsers
    "https://App.Example.com",
    "https://app.nightonly.com/", // path
    "https://app.nightonly.com/evil",
    "https://user@app.nightonly.com", // userinfo
    "https://app.nightonly.com%2eevil.net",
    "https://appnightonly.com",
    "https://app-nightonly.com",
    "https://app.example.com.evil.net",
    "https://evilapp.example.com",
    "https://sub.app.example.com", // exact entries do not cover subdomains
    "http://app.example.com",
    "http://localhost:3001",
    "http://localhost",
    "https://localhost:3000",
    "https://app.nightonly.cöm",
    "https://äpp.nightonly.com", // unicode instead of punycode
    "https://app.nightonly.com\u0000",
    "https://app.nightonly.com https://app.example.com", // two origins in one header
    "file://",
    "https://*.nightonly.com", // the pattern itself
    "https://.nightonly.com",
  ];

  it("tries at least 20 hostile origins", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(20);
  });

  it.each(hostile.filter((origin) => !origin.includes("\u0000")))("%s", async (origin) => {
    const response = await call(PATH, { origin });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe('{"success": false, "message": "ORIGIN is invalid."}');
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("vary")).toBe("Origin");
  });

  it("refuses a hostile origin on a preflight too", async () => {
    const response = await call(PATH, {
      method: "OPTIONS",
      origin: "https://nightonly.com.evil.net",
      headers: { "access-control-request-method": "GET" },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers other methods 404 whatever the origin, like the seed", async () => {
    const response = await call(PATH, { method: "POST", origin: "https://evil.example" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ success: false, message: "No route matches." });
  });
});

describe("preflight", () => {
  it("grants GET with the headers asked for, Max-Age at most 7200", async () => {
    const response = await call(PATH, {
      method: "OPTIONS",
      headers: { "access-control-request-method": "GET", "access-control-request-headers": "Range, Authorization" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toBe("range, authorization");
    expect(Number(response.headers.get("access-control-max-age"))).toBeLessThanOrEqual(7200);
    expect(response.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("grants any header asked for, like the seed's Access-Control-Allow-Headers: *", async () => {
    const response = await call(PATH, {
      method: "OPTIONS",
      headers: {
        "access-control-request-method": "GET",
        "access-control-request-headers": "Content-Type, Cache-Control, X-Requested-With",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type, cache-control, x-requested-with");
    expect(response.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers");
  });

  it("grants no header when the list holds something that is not a header name", async () => {
    const response = await call(PATH, {
      method: "OPTIONS",
      headers: { "access-control-request-method": "GET", "access-control-request-headers": "range, x y" },
    });
    expect(response.headers.get("access-control-allow-headers")).toBeNull();
  });

  it("leaves a method we do not serve out of the grant, so the browser names it", async () => {
    const response = await call(PATH, { method: "OPTIONS", headers: { "access-control-request-method": "DELETE" } });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
  });
});

describe("configuration", () => {
  it("names a missing ALLOWED_ORIGINS in a JSON 500 with a request id", async () => {
    const response = await callWith({ ALLOWED_ORIGINS: undefined }, PATH);
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.success).toBe(false);
    expect(body.message).toMatch(/ALLOWED_ORIGINS is missing/);
    expect(body.variable).toBe("ALLOWED_ORIGINS");
    expect(body.request_id).toBe(response.headers.get("x-request-id"));
  });

  it.each([
    ["ALLOWED_ORIGINS", "*"],
    ["ALLOWED_ORIGINS", "https://.*\\.nightonly\\.com"],
    ["CACHE_TTL_SECONDS", "five"],
    ["AWS_SECRET_ACCESS_KEY", ""],
    ["TOKEN_SECRET", "short"],
    ["DYNAMODB_ENDPOINT", "not a url"],
  ])("refuses %s=%j with a message naming it", async (variable, value) => {
    const response = await callWith({ [variable]: value }, PATH);
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.variable).toBe(variable);
    expect(JSON.stringify(body)).not.toContain("S3RVER");
  });
});

describe("the request policy's own refusals", () => {
  /** Runs `request` with console captured; returns the parsed JSON log lines. */
  async function logsOf(
    request: () => Promise<Response>,
  ): Promise<{ response: Response; records: Array<Record<string, unknown>> }> {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    const spies = (["log", "warn", "error"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(capture),
    );
    try {
      const response = await request();
      await response.arrayBuffer();
      return { response, records: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  // The policy and the request log are one middleware (worker/http/middleware.ts): a refusal of its
  // own is rendered there, and must still be logged like any other response.
  it.each([
    ["a refused origin", () => call(PATH, { origin: "https://evil.example" }), 422],
    ["a bad setting", () => callWith({ CACHE_TTL_SECONDS: "five" }, PATH), 500],
  ])("%s is answered and logged with its status and request id", async (_, request, status) => {
    const { response, records } = await logsOf(request);
    expect(response.status).toBe(status);
    const access = records.filter((record) => record.msg === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: "info",
      request_id: response.headers.get("x-request-id"),
      method: "GET",
      path: "/api/media/status",
      status,
      upstream_calls: 0,
      cache: "none",
    });
    expect(response.headers.get("vary")).toBe("Origin");
  });
});
