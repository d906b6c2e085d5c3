/**
 * The whole header list of each kind of response the middleware shapes (lookups, their errors,
 * preflights, refused origins, unknown routes, configuration errors), so that a change in where
 * the per-response headers (CORS, Vary, x-request-id) are written cannot change what a client
 * receives. workerd iterates headers sorted by name, so the lists compare as written here.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { putItem } from "./support/dynamodb.ts";
import { ALLOWED_ORIGIN, BASE, call, callWith } from "./support/request.ts";

const EXPOSED = "content-length, content-range, etag, retry-after, www-authenticate, x-request-id";
const SEED_JSON = "application/json; charset=UTF-8";
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The response's headers as [name, value] pairs, x-request-id checked and replaced by "<id>". */
function headerList(response: Response): Array<[string, string]> {
  return [...response.headers].map(([name, value]) => {
    if (name !== "x-request-id") return [name, value];
    expect(value).toMatch(REQUEST_ID);
    return [name, "<id>"];
  });
}

async function seedStatus(jobId: string): Promise<void> {
  const now = epochSeconds();
  await putItem(DEFAULT_TABLES.jobIdToStatus, {
    JobId: jobId,
    JobStatus: "PROGRESSING",
    ProgressRate: 40,
    CreationTime: now,
    ExpirationTime: now + 86400,
  });
}

const lookupHeaders = (cors: Array<[string, string]>): Array<[string, string]> => [
  ...cors.filter(([name]) => name < "cache-control"),
  ["cache-control", "public, max-age=5"],
  ["content-type", SEED_JSON],
  ["vary", "Origin"],
  ["x-request-id", "<id>"],
];
const ALLOWED: Array<[string, string]> = [
  ["access-control-allow-origin", ALLOWED_ORIGIN],
  ["access-control-expose-headers", EXPOSED],
];

describe("headers of a status lookup", () => {
  it("miss then hit, from an allowed origin: the same headers, CORS for that origin", async () => {
    const jobId = `headers-${crypto.randomUUID()}`;
    await seedStatus(jobId);
    const miss = await call(`/api/media/status?job_id=${jobId}`);
    const hit = await call(`/api/media/status?job_id=${jobId}`);
    expect(miss.status).toBe(200);
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe(await miss.text());
    expect(headerList(miss)).toEqual(lookupHeaders(ALLOWED));
    expect(headerList(hit)).toEqual(lookupHeaders(ALLOWED));
    expect(miss.headers.get("x-request-id")).not.toBe(hit.headers.get("x-request-id"));
  });

  it("without Origin, or from the Worker's own origin: Vary and a request id, no CORS grant", async () => {
    const jobId = `headers-${crypto.randomUUID()}`;
    await seedStatus(jobId);
    for (const origin of [null, BASE]) {
      const response = await call(`/api/media/status?job_id=${jobId}`, { origin });
      expect(response.status).toBe(200);
      expect(headerList(response)).toEqual(lookupHeaders([]));
    }
  });

  it("HEAD: the GET's headers and no body", async () => {
    const jobId = `headers-${crypto.randomUUID()}`;
    await seedStatus(jobId);
    const response = await call(`/api/media/status?job_id=${jobId}`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(headerList(response)).toEqual(lookupHeaders(ALLOWED));
  });
});

const errorHeaders = (cors: Array<[string, string]>): Array<[string, string]> => [
  ...cors,
  ["cache-control", "no-store"],
  ["content-type", SEED_JSON],
  ["vary", "Origin"],
  ["x-request-id", "<id>"],
];

describe("headers of the errors", () => {
  it("an unknown item (the seed's 422), from an allowed origin", async () => {
    const response = await call(`/api/media/status?job_id=absent-${crypto.randomUUID()}`);
    expect(response.status).toBe(422);
    expect(headerList(response)).toEqual(errorHeaders(ALLOWED));
  });

  it("a refused origin: 422 without CORS grant", async () => {
    const response = await call("/api/media/status?job_id=x", { origin: "https://evil.example" });
    expect(response.status).toBe(422);
    expect(headerList(response)).toEqual(errorHeaders([]));
  });

  it("an unknown route and another method: 404", async () => {
    for (const response of [
      await call("/api/media/nothing-here"),
      await call("/api/media/status?job_id=x", { method: "POST" }),
    ]) {
      expect(response.status).toBe(404);
      expect(headerList(response)).toEqual(errorHeaders(ALLOWED));
    }
  });

  it("a configuration error: 500 with the request id in the body and the header", async () => {
    const response = await callWith({ CACHE_TTL_SECONDS: "five" }, "/api/media/status?job_id=x");
    expect(response.status).toBe(500);
    expect(headerList(response)).toEqual(errorHeaders([]));
    const body = (await response.json()) as { request_id: string };
    expect(body.request_id).toBe(response.headers.get("x-request-id"));
  });
});

describe("headers of the preflights", () => {
  const preflight = (origin: string, headers: Record<string, string>) =>
    call("/api/media/status?job_id=x", { method: "OPTIONS", origin, headers });

  const granted = (requestHeaders: string) => [
    ["access-control-allow-headers", requestHeaders],
    ["access-control-allow-methods", "GET, HEAD, OPTIONS"],
    ["access-control-allow-origin", ALLOWED_ORIGIN],
    ["access-control-max-age", "7200"],
    ["allow", "GET, HEAD, OPTIONS"],
    ["cache-control", "public, max-age=7200"],
    ["vary", "Origin, Access-Control-Request-Headers"],
    ["x-request-id", "<id>"],
  ];

  it("granted", async () => {
    const response = await preflight(ALLOWED_ORIGIN, {
      "access-control-request-method": "GET",
      "access-control-request-headers": "Range",
    });
    expect(response.status).toBe(204);
    expect(headerList(response)).toEqual(granted("range"));
  });

  it("any header asked for is granted, as the seed's Access-Control-Allow-Headers: * did", async () => {
    const response = await preflight(ALLOWED_ORIGIN, {
      "access-control-request-method": "GET",
      "access-control-request-headers": "content-type,x-requested-with",
    });
    expect(response.status).toBe(204);
    expect(headerList(response)).toEqual(granted("content-type, x-requested-with"));
  });

  it("from a refused origin: 422", async () => {
    const response = await preflight("https://evil.example", { "access-control-request-method": "GET" });
    expect(response.status).toBe(422);
    expect(headerList(response)).toEqual(errorHeaders([]));
  });
});
