/**
 * GET /api/media/health through the real Worker in workerd, against DynamoDB Local and the local S3
 * server: every table and bucket the Worker uses answered (200), and a missing table and bucket
 * named with the settings that name them (503). No secret and no row content in any answer.
 */
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../model/index.ts";
import { bindings, call, callWith } from "./support/request.ts";
import { putItem } from "./support/dynamodb.ts";

describe("GET /api/media/health", () => {
  it("200 with the version, the settings present (names only) and every check passing", async () => {
    // A row under the probe key: its contents must not reach the report.
    await putItem(DEFAULT_TABLES.jobIdToStatus, { JobId: "media-edge-health-check", JobStatus: "ROW-CONTENT" });
    const response = await call("/api/media/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    const text = await response.text();
    for (const secret of [bindings.TOKEN_SECRET!, "ROW-CONTENT"]) expect(text).not.toContain(secret);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ success: true, version: packageJson.version });
    expect(body.settings.present).toEqual(expect.arrayContaining(["AWS_ACCESS_KEY_ID", "TOKEN_SECRET", "S3_ENDPOINT"]));
    expect(body.settings.absent).toContain("AWS_SESSION_TOKEN");
    expect(body.checks).toEqual([
      { kind: "table", name: DEFAULT_TABLES.inputFileToJobId, settings: ["TABLE_INPUT_FILE_TO_JOB_ID"], ok: true },
      { kind: "table", name: DEFAULT_TABLES.jobIdToStatus, settings: ["TABLE_JOB_ID_TO_STATUS"], ok: true },
      { kind: "table", name: DEFAULT_TABLES.jobIdToOutput, settings: ["TABLE_JOB_ID_TO_OUTPUT"], ok: true },
      { kind: "table", name: DEFAULT_TABLES.faceAnalysis, settings: ["TABLE_FACE_ANALYSIS"], ok: true },
      { kind: "bucket", name: DEFAULT_BUCKETS.output, settings: ["OUTPUT_BUCKET", "ANALYSIS_BUCKET"], ok: true },
      { kind: "bucket", name: DEFAULT_BUCKETS.recordings, settings: ["RECORDINGS_BUCKET"], ok: true },
    ]);
  });

  it("503 naming a missing table and a missing bucket, with the settings to fix", async () => {
    const response = await callWith(
      { TABLE_JOB_ID_TO_STATUS: "MissingStatusTable", RECORDINGS_BUCKET: "missing-recordings" },
      "/api/media/health",
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { success: boolean; checks: Array<Record<string, unknown>> };
    expect(body.success).toBe(false);
    expect(body.checks.filter((check) => !check.ok)).toEqual([
      {
        kind: "table",
        name: "MissingStatusTable",
        settings: ["TABLE_JOB_ID_TO_STATUS"],
        ok: false,
        problem: "not-found",
        detail: "HTTP 400 ResourceNotFoundException",
      },
      {
        kind: "bucket",
        name: "missing-recordings",
        settings: ["RECORDINGS_BUCKET"],
        ok: false,
        problem: "not-found",
        detail: "HeadBucket HTTP 404",
      },
    ]);
  });

  it("a check that cannot reach its endpoint says so, within the deadline", async () => {
    const response = await callWith({ S3_ENDPOINT: "http://127.0.0.1:9" }, "/api/media/health");
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Array<Record<string, unknown>> };
    const buckets = body.checks.filter((check) => check.kind === "bucket");
    expect(buckets.map((check) => check.problem)).toEqual(["unreachable", "unreachable"]);
    expect(body.checks.filter((check) => check.kind === "table").every((check) => check.ok)).toBe(true);
  });

  it("a throttled check counts its own attempts, not the report's other calls", async () => {
    const path = `/throttle/${crypto.randomUUID().slice(0, 8)}`;
    const response = await callWith(
      { DYNAMODB_ENDPOINT: `${bindings.TEST_CHAOS_ENDPOINT}${path}` },
      "/api/media/health",
    );
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Array<Record<string, unknown>> };
    const tables = body.checks.filter((check) => check.kind === "table");
    expect(tables).toHaveLength(4);
    for (const check of tables) {
      // UPSTREAM_MAX_ATTEMPTS (3) per check, though the four checks run in parallel in one request.
      expect(check).toMatchObject({ problem: "throttled", detail: "HTTP 400 ThrottlingException after 3 calls" });
    }
  });
});
