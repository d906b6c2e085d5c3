/** Pure pieces of the Worker: config validation, status bodies, DynamoDB unmarshalling, backoff. */
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../worker/aws/upstream.ts";
import { unmarshallItem } from "../../worker/aws/dynamodb.ts";
import { ConfigError, readConfig } from "../../worker/config.ts";
import { MINIMAL_BINDINGS } from "../support/worker-config.ts";
import { statusBody } from "../../worker/jobs/status-body.ts";
import { checkKeyValue } from "../../worker/http/params.ts";
import { writesAccessLine } from "../../worker/http/log.ts";

describe("readConfig", () => {
  it("fills documented defaults", () => {
    const config = readConfig({ ...MINIMAL_BINDINGS });
    expect(config).not.toBeInstanceOf(ConfigError);
    if (config instanceof ConfigError) return;
    expect(config.dynamodbEndpoint).toBe("https://dynamodb.us-east-1.amazonaws.com");
    expect(config.s3).toEqual({ endpoint: "https://s3.us-east-1.amazonaws.com", pathStyle: false });
    expect(config.tables.jobIdToStatus).toBe("MediaConvertJobIdToStatus");
    expect(config.cacheTtlSeconds).toBe(5);
    expect(config.upstream).toEqual({ deadlineMs: 3000, idleMs: 10_000, maxAttempts: 3 });
    expect(config.buckets.analysis).toBe(config.buckets.output);
    expect(config.accessLog).toBe("upstream");
  });

  it("honours overrides and uses path-style S3 for an explicit endpoint", () => {
    const config = readConfig({
      ...MINIMAL_BINDINGS,
      AWS_REGION: "ap-northeast-1",
      S3_ENDPOINT: "http://127.0.0.1:4568/",
      TABLE_JOB_ID_TO_STATUS: "prod.Status",
    });
    if (config instanceof ConfigError) throw config;
    expect(config.s3).toEqual({ endpoint: "http://127.0.0.1:4568", pathStyle: true });
    expect(config.dynamodbEndpoint).toBe("https://dynamodb.ap-northeast-1.amazonaws.com");
    expect(config.tables.jobIdToStatus).toBe("prod.Status");
  });

  it.each([
    [{ AWS_ACCESS_KEY_ID: undefined }, "AWS_ACCESS_KEY_ID"],
    [{ AWS_REGION: "tokyo" }, "AWS_REGION"],
    [{ TABLE_JOB_ID_TO_STATUS: "a b" }, "TABLE_JOB_ID_TO_STATUS"],
    [{ UPSTREAM_MAX_ATTEMPTS: "0" }, "UPSTREAM_MAX_ATTEMPTS"],
    [{ RECORDINGS_PREFIX: "../etc" }, "RECORDINGS_PREFIX"],
    [{ OUTPUT_BUCKET: "Bad_Bucket" }, "OUTPUT_BUCKET"],
    [{ PLAYBACK_POLICY: "open" }, "PLAYBACK_POLICY"],
    [{ ACCESS_LOG: "errors" }, "ACCESS_LOG"],
  ])("names the variable in the error for %j", (override, variable) => {
    const config = readConfig({ ...MINIMAL_BINDINGS, ...override });
    expect(config).toBeInstanceOf(ConfigError);
    expect((config as ConfigError).variable).toBe(variable);
  });

  it("caps a window at 20,160 segments (a week of 30-s segments): a shorter default for short segments, an error when set above", () => {
    const short = readConfig({ ...MINIMAL_BINDINGS, RECORDING_SEGMENT_SECONDS: "4" });
    if (short instanceof ConfigError) throw short;
    expect(short.recordings.maxWindowSeconds).toBe(80_640);
    const explicit = readConfig({ ...MINIMAL_BINDINGS, RECORDING_SEGMENT_SECONDS: "4", MAX_WINDOW_SECONDS: "86400" });
    expect((explicit as ConfigError).variable).toBe("MAX_WINDOW_SECONDS");
  });

  it("never puts a secret's value in the error", () => {
    const config = readConfig({ ...MINIMAL_BINDINGS, TOKEN_SECRET: "short-secret" });
    expect((config as ConfigError).message).not.toContain("short-secret");
  });
});

describe("writesAccessLine", () => {
  it.each([
    // mode, status, upstream calls, line?
    ["upstream", 200, 0, false], // an edge-cache hit, a page file
    ["upstream", 204, 0, false], // a preflight
    ["upstream", 304, 0, false], // a conditional request answered from the cache
    ["upstream", 200, 1, true], // a miss: it called AWS
    ["upstream", 304, 2, true],
    ["upstream", 400, 0, true], // refused before any call
    ["upstream", 422, 0, true],
    ["upstream", 503, 3, true],
    ["all", 200, 0, true],
    ["all", 204, 0, true],
    [undefined, 200, 0, true], // no configuration (it did not load): every request is logged
  ] as const)("ACCESS_LOG=%s, status %i, %i upstream calls: %s", (mode, status, calls, expected) => {
    expect(writesAccessLine(mode, status, calls)).toBe(expected);
  });
});

describe("statusBody", () => {
  it("truncates numbers like Python's int() and reads a missing progress as 0", () => {
    expect(statusBody({ JobStatus: "PROGRESSING", ProgressRate: 70.9 })).toEqual({
      success: true,
      job_status: "PROGRESSING",
      progress_rate: 70,
    });
    expect(statusBody({ JobStatus: "SUBMITTED", Warnings: {} })).toEqual({
      success: true,
      job_status: "SUBMITTED",
      progress_rate: 0,
    });
  });

  it("adds the ABR playlist paths and warnings after the seed's keys", () => {
    const body = statusBody({
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      DurationMs: 1,
      WidthPx: 2,
      HeightPx: 3,
      OutputPath: "o/",
      Playlists: { ".m3u8": "m.m3u8" },
      PlaylistPaths: ["m.m3u8", "m_720.m3u8"],
      Warnings: { "230001": 1 },
    });
    expect(Object.keys(body)).toEqual([
      "success",
      "job_status",
      "progress_rate",
      "duration_ms",
      "width_px",
      "height_px",
      "output_path",
      "playlists",
      "playlist_paths",
      "warnings",
    ]);
  });
});

describe("unmarshallItem", () => {
  it("reads every DynamoDB type we store", () => {
    expect(
      unmarshallItem({
        S: { S: "x" },
        N: { N: "12" },
        B: { BOOL: true },
        Z: { NULL: true },
        M: { M: { ".m3u8": { S: "a.m3u8" } } },
        L: { L: [{ S: "a" }, { N: "1" }] },
        SS: { SS: ["a", "b"] },
        NS: { NS: ["1", "2"] },
      }),
    ).toEqual({ S: "x", N: 12, B: true, Z: null, M: { ".m3u8": "a.m3u8" }, L: ["a", 1], SS: ["a", "b"], NS: [1, 2] });
  });
});

describe("backoff and key checks", () => {
  it("grows the jitter window exponentially up to a cap", () => {
    expect(backoffDelayMs(1, () => 0.999)).toBe(79);
    expect(backoffDelayMs(2, () => 0.999)).toBe(159);
    expect(backoffDelayMs(9, () => 0.999)).toBe(399);
    expect(backoffDelayMs(3, () => 0)).toBe(0);
  });

  it("measures key size in UTF-8 bytes", () => {
    expect(checkKeyValue("job_id", "a".repeat(2048))).toHaveLength(2048);
    expect(() => checkKeyValue("job_id", "あ".repeat(683))).toThrow("Invalid parameter job_id.");
  });
});
