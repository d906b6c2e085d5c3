/**
 * Upstream failures through the real Worker, against test/support/chaos-upstream.ts playing a
 * misbehaving DynamoDB. Every answer is bounded in time and calls, JSON, and carries no upstream body.
 */
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings, callWith, chaosRequests } from "./support/request.ts";

const chaos = bindings.TEST_CHAOS_ENDPOINT;

async function statusVia(path: string, extra: Record<string, string> = {}) {
  const started = Date.now();
  const response = await callWith(
    { DYNAMODB_ENDPOINT: `${chaos}${path}`, CACHE_TTL_SECONDS: "0", ...extra },
    "/api/media/status?job_id=upstream-probe",
  );
  const text = await response.text();
  return { response, text, elapsed: Date.now() - started };
}

const id = () => crypto.randomUUID().slice(0, 8);

describe("upstream failure policy", () => {
  it("retries DynamoDB's HTTP 400 throttling within the budget, then answers 503 with Retry-After", async () => {
    const path = `/throttle/${id()}`;
    const { response, text } = await statusVia(path);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(JSON.parse(text)).toMatchObject({ success: false, message: "Service busy, retry later." });
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
    expect(await chaosRequests(path)).toBe(3); // UPSTREAM_MAX_ATTEMPTS default
  });

  it("retries 5xx and stops at UPSTREAM_MAX_ATTEMPTS", async () => {
    const path = `/server-error/${id()}`;
    const { response } = await statusVia(path, { UPSTREAM_MAX_ATTEMPTS: "2" });
    expect(response.status).toBe(503);
    expect(await chaosRequests(path)).toBe(2);
  });

  it("recovers when throttling stops within the budget (2 throttles, then DynamoDB Local answers)", async () => {
    const jobId = `flaky-${id()}`;
    await putItem(DEFAULT_TABLES.jobIdToStatus, {
      JobId: jobId,
      JobStatus: "PROGRESSING",
      ProgressRate: 40,
      CreationTime: epochSeconds(),
    });
    const path = `/flaky/${id()}`;
    const response = await callWith(
      { DYNAMODB_ENDPOINT: `${chaos}${path}`, CACHE_TTL_SECONDS: "0" },
      `/api/media/status?job_id=${jobId}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, job_status: "PROGRESSING", progress_rate: 40 });
    expect(await chaosRequests(path)).toBe(3);
  });

  it("ends a hung upstream with 504 within the deadline", async () => {
    const { response, elapsed, text } = await statusVia(`/hang/${id()}`, { UPSTREAM_DEADLINE_MS: "400" });
    expect(response.status).toBe(504);
    expect(JSON.parse(text)).toMatchObject({ success: false, message: "Upstream timed out." });
    expect(elapsed).toBeLessThan(2000);
  });

  it("ends a DynamoDB answer whose body stalls with 504 (UPSTREAM_IDLE_MS), without a retry", async () => {
    const path = `/stall/${id()}/100`;
    const { response, text } = await statusVia(path, { UPSTREAM_IDLE_MS: "200" });
    expect(response.status).toBe(504);
    expect(JSON.parse(text)).toMatchObject({ success: false, message: "Upstream timed out." });
    expect(await chaosRequests(path)).toBe(1);
  });

  it("reads a DynamoDB body that flows for longer than the deadline whole (not cut as a timeout)", async () => {
    // 8 chunks, 7 pauses of 100 ms after headers that came within the 100 ms deadline: the body,
    // read whole, is not JSON (502 malformed); a read cut at the deadline would be a 504.
    const path = `/trickle/${id()}/8x100`;
    const { response, text } = await statusVia(path, { UPSTREAM_DEADLINE_MS: "100" });
    expect(response.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({ success: false, message: "Upstream error." });
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
    expect(await chaosRequests(path)).toBe(1);
  });

  it("answers 502 when the upstream cannot be reached", async () => {
    const response = await callWith(
      { DYNAMODB_ENDPOINT: "http://127.0.0.1:9", CACHE_TTL_SECONDS: "0" },
      "/api/media/status?job_id=x",
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ success: false, message: "Upstream error." });
  });

  it("answers 502 for a 200 whose body is not JSON, without forwarding it", async () => {
    const { response, text } = await statusVia(`/malformed/${id()}`);
    expect(response.status).toBe(502);
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
  });

  it("does not retry a non-retryable 400 and never forwards its message", async () => {
    const path = `/rejected/${id()}`;
    const { response, text } = await statusVia(path);
    expect(response.status).toBe(502);
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
    expect(text).not.toContain("schema");
    expect(await chaosRequests(path)).toBe(1);
  });

  it("logs one JSON line per request with the upstream calls, and never a secret", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    const spies = [
      vi.spyOn(console, "log").mockImplementation(capture),
      vi.spyOn(console, "error").mockImplementation(capture),
      vi.spyOn(console, "warn").mockImplementation(capture),
    ];
    try {
      await statusVia(`/throttle/${id()}`, { AWS_SECRET_ACCESS_KEY: "SECRET-KEY-THAT-MUST-NOT-LEAK" });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = records.filter((record) => record.msg === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: "GET", path: "/api/media/status", status: 503, upstream_calls: 3 });
    expect(typeof access[0]!.duration_ms).toBe("number");
    expect(lines.join("\n")).not.toContain("SECRET-KEY-THAT-MUST-NOT-LEAK");
    expect(lines.join("\n")).not.toContain(bindings.TOKEN_SECRET);
    expect(lines.join("\n")).not.toContain("UPSTREAM-SECRET-BODY");
  });
});
