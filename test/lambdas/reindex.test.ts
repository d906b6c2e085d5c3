/**
 * `npm run reindex` (local/reindex.ts) against the local S3 server: an archive with an index object
 * of an older format, spans nobody indexed, an empty span, three streams (one unnamed, one nested).
 * The command runs in-process on a frozen clock, with the environment it would read.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { readRecordingIndexConfig } from "../../aws-lambdas/recording-index/config.ts";
import { createRecordingIndexHandler } from "../../aws-lambdas/recording-index/recording-index.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { S3RequestError, type S3Objects } from "../../aws-lambdas/shared/s3-objects.ts";
import { reindex } from "../../local/reindex.ts";
import {
  decodeRecordingIndex,
  indexObjectHours,
  recordingIndexKey,
  settledHour,
} from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { s3StandIn } from "./s3-stand-in.ts";
import { buckets, getText, listKeys, s3Notification, testClients, uniquePrefix } from "./support.ts";

const { s3, objects } = testClients();
const standIn = s3StandIn();
const DAY = 86_400;
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z, the start of an index span
const NOW = T0 + 4 * DAY + 10 * 3600; // 2024-01-06T10:00Z: hours up to 09:00 have settled

async function put(key: string, body = "ts"): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: buckets.recordings, Key: key, Body: body }));
}

/** Runs the command as `npm run reindex -- ...argv` would, with the clock at `now`. */
async function run(argv: string[], env: Record<string, string>, now = NOW, client?: S3Objects) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reindex(argv, env, {
    out: (text) => out.push(text),
    err: (line) => err.push(line),
    now: () => now,
    ...(client ? { s3: client } : {}),
  });
  const stdout = out.join("");
  return { code, stdout, stderr: err.join("\n"), summary: stdout ? JSON.parse(stdout) : undefined };
}

/**
 * cam1: a segment two days before T0, two in T0's span (indexed in format 2 there), none in the
 * next span, one in the span of now. The unnamed stream (segments directly under the prefix) and
 * site/cam2 (a nested name) have one segment each in the span of now, cam2's in an hour not yet settled.
 */
async function archive(): Promise<{ prefix: string; env: Record<string, string> }> {
  const prefix = uniquePrefix("reindex").slice(0, -1);
  const cam1 = `${prefix}/cam1/`;
  for (const start of [T0 - 2 * DAY + 2 * 3600, T0 + 5 * 3600, T0 + 5 * 3600 + 30, T0 + 4 * DAY + 5 * 3600]) {
    await put(cam1 + formatSegmentName(start));
  }
  await put(`${cam1}notes.txt`);
  await put(recordingIndexKey(cam1, T0), `#2 ${T0} S0002\n${formatSegmentName(T0 + 5 * 3600)}\n`);
  await put(`${prefix}/${formatSegmentName(T0 + 4 * DAY + 3600)}`);
  await put(`${prefix}/site/cam2/${formatSegmentName(T0 + 4 * DAY + 9 * 3600 + 30)}`);
  // s3rver leaves out of a delimiter listing a folder that holds only folders (S3 lists it as a
  // common prefix): an object directly in site/ makes it list site/ as S3 would.
  await put(`${prefix}/site/about.txt`);
  return {
    prefix,
    env: { S3_ENDPOINT: inject("s3Endpoint"), RECORDINGS_PREFIX: prefix, RECORDINGS_BUCKET: buckets.recordings },
  };
}

async function readIndex(streamPrefix: string, span: number): Promise<string | undefined> {
  return getText(s3, buckets.recordings, recordingIndexKey(streamPrefix, span));
}

describe("npm run reindex", () => {
  it("dry run: prints the plan and writes nothing; a run rebuilds every span as the Lambda writes it, skipping the empty one", async () => {
    const { prefix, env } = await archive();
    const before = await listKeys(s3, buckets.recordings, `${prefix}/`);
    const formatTwo = await readIndex(`${prefix}/cam1/`, T0);

    const dry = await run(["--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.summary).toMatchObject({
      dryRun: true,
      streams: [`${prefix}/`, `${prefix}/cam1/`, `${prefix}/site/cam2/`],
      spans: 6,
      planned: 6,
      rebuilt: 0,
    });
    expect(dry.stderr).toContain(`would rebuild ${prefix}/cam1/~index/20240102.txt`);
    expect(await listKeys(s3, buckets.recordings, `${prefix}/`)).toEqual(before);
    expect(await readIndex(`${prefix}/cam1/`, T0)).toBe(formatTwo);

    const result = await run([], env);
    expect(result.code).toBe(0);
    expect(result.summary).toEqual({
      dryRun: false,
      streams: [`${prefix}/`, `${prefix}/cam1/`, `${prefix}/site/cam2/`],
      spans: 6,
      planned: 0,
      rebuilt: 5,
      segments: 6,
      skipped: { noSegments: 1, upToDate: 0 },
      failed: 0,
      failures: [],
    });
    // The span with no segments and no index object stays without one.
    expect(result.stderr).toContain(`skipped ${prefix}/cam1/~index/20240104.txt: no segments`);
    expect(await readIndex(`${prefix}/cam1/`, T0 + 2 * DAY)).toBeUndefined();

    // Every object is format 3, trusted up to the last settled hour, and byte for byte what the
    // Lambda writes for the same listing and clock (its handler, run after, on each span's segment).
    const rebuilt: Array<[string, number, number]> = [
      [`${prefix}/cam1/`, T0 - 2 * DAY, T0 - 2 * DAY + 2 * 3600],
      [`${prefix}/cam1/`, T0, T0 + 5 * 3600],
      [`${prefix}/cam1/`, T0 + 4 * DAY, T0 + 4 * DAY + 5 * 3600],
      [`${prefix}/`, T0 + 4 * DAY, T0 + 4 * DAY + 3600],
      [`${prefix}/site/cam2/`, T0 + 4 * DAY, T0 + 4 * DAY + 9 * 3600 + 30],
    ];
    const config = readRecordingIndexConfig(env);
    const handler = createRecordingIndexHandler({ config, s3: objects, log: memoryLog(), now: () => NOW });
    for (const [streamPrefix, span, segment] of rebuilt) {
      const body = (await readIndex(streamPrefix, span))!;
      const expectedCoverage = Math.min(indexObjectHours(span).to, settledHour(NOW, 30));
      expect(decodeRecordingIndex(body, span, 30)?.coveredUntil).toBe(expectedCoverage);
      const key = streamPrefix + formatSegmentName(segment);
      await handler(s3Notification([{ key, bucket: buckets.recordings }], encodeS3EventKey));
      expect(await readIndex(streamPrefix, span)).toBe(body);
    }
    expect(decodeRecordingIndex((await readIndex(`${prefix}/cam1/`, T0))!, T0, 30)?.names).toEqual(
      [T0 + 5 * 3600, T0 + 5 * 3600 + 30].map(formatSegmentName),
    );
  });

  it("--only-stale rebuilds the missing, older-format and not-yet-settled objects only", async () => {
    const { prefix, env } = await archive();
    // The format-2 object and the missing ones are stale.
    const first = await run(["--only-stale"], env);
    expect(first.summary).toMatchObject({ rebuilt: 5, skipped: { noSegments: 1, upToDate: 0 }, failed: 0 });

    // Nothing changed since: every object is current (the empty span has none, so it is listed again).
    const again = await run(["--only-stale", "--concurrency", "2"], env);
    expect(again.summary).toMatchObject({ rebuilt: 0, skipped: { noSegments: 1, upToDate: 5 } });

    // Two hours later the span of now has more settled hours: its three objects are rebuilt.
    const later = await run(["--only-stale"], env, NOW + 2 * 3600);
    expect(later.summary).toMatchObject({ rebuilt: 3, skipped: { noSegments: 1, upToDate: 2 } });
    for (const stream of ["", "cam1/", "site/cam2/"]) {
      expect(later.stderr).toContain(`rebuilt ${prefix}/${stream}~index/20240106.txt`);
    }
    const body = (await readIndex(`${prefix}/site/cam2/`, T0 + 4 * DAY))!;
    expect(decodeRecordingIndex(body, T0 + 4 * DAY, 30)?.coveredUntil).toBe(T0 + 4 * DAY + 11 * 3600);
  });

  it("--stream and --from/--to limit the spans; a span that fails exits 1, listed, and the others are still done", async () => {
    const { prefix, env } = await archive();
    const failing = recordingIndexKey(`${prefix}/cam1/`, T0);
    // The same server, but S3 refuses the writes of one index object.
    const refusing: S3Objects = {
      ...objects,
      putObject: async (input) => {
        if (input.key !== failing) return objects.putObject(input);
        throw new S3RequestError(
          `PutObject s3://${input.bucket}/${input.key}: HTTP 403 AccessDenied`,
          403,
          "AccessDenied",
        );
      },
    };
    const result = await run(
      ["--stream", "cam1", "--from", "2024-01-01", "--to", "2024-01-02T12:00:00Z"],
      env,
      NOW,
      refusing,
    );
    expect(result.code).toBe(1);
    const error = `S3RequestError: PutObject s3://${buckets.recordings}/${failing}: HTTP 403 AccessDenied`;
    expect(result.summary).toMatchObject({
      streams: [`${prefix}/cam1/`],
      spans: 2,
      rebuilt: 1,
      failed: 1,
      failures: [{ key: failing, error }],
    });
    expect(result.stderr).toContain(`1 span(s) failed (run again to retry them):\n  ${failing}: ${error}`);
    expect(await readIndex(`${prefix}/cam1/`, T0 - 2 * DAY)).toBeDefined();
    expect(await readIndex(`${prefix}/cam1/`, T0)).toMatch(/^#2 /);
  });

  it("a bad option or setting: exit 2 with the reason and the usage, no stack, nothing read", async () => {
    const env = { S3_ENDPOINT: "http://127.0.0.1:9", RECORDINGS_PREFIX: "movie" };
    const badFrom = await run(["--from", "yesterday"], env);
    expect(badFrom).toMatchObject({ code: 2, stdout: "" });
    expect(badFrom.stderr).toMatch(/^--from "yesterday" is not a date \(2024-01-02\) or an ISO time/);
    expect(badFrom.stderr).toContain("Usage: npm run reindex -- [options]");
    expect(badFrom.stderr).not.toMatch(/\n\s+at /);
    const badBucket = await run([], { ...env, RECORDINGS_BUCKET: "Not_A_Bucket" });
    expect(badBucket.code).toBe(2);
    expect(badBucket.stderr).toMatch(/^Configuration variable RECORDINGS_BUCKET is not a valid S3 bucket name/);
    expect((await run(["--concurrency", "0"], env)).stderr).toMatch(/^--concurrency "0" is not a whole number/);
    expect((await run(["cam1"], env)).stderr).toMatch(/^Unexpected argument "cam1"/);
  });
});

describe("npm run reindex --aws", () => {
  /** An environment with AWS credentials and region, no profile or config file, and S3's endpoint the stand-in. */
  function awsEnvironment(extra: Record<string, string> = {}): void {
    const env: Record<string, string | undefined> = {
      AWS_REGION: "eu-west-3",
      AWS_DEFAULT_REGION: undefined,
      AWS_ACCESS_KEY_ID: "AKIDFROMTHEENV",
      AWS_SECRET_ACCESS_KEY: "secret-from-the-env",
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: standIn.endpoint,
      ...extra,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }
  afterEach(() => void vi.unstubAllEnvs());

  const argv = ["--aws", "--stream", "cam1", "--from", "2024-01-02T05:00:00Z", "--to", "2024-01-02T12:00:00Z"];
  const env = { RECORDINGS_BUCKET: "my-recordings", RECORDINGS_PREFIX: "movie" };

  it("signs with the credentials and region the SDK finds (here the environment's), at the endpoint configured for S3", async () => {
    awsEnvironment();
    standIn.script([{ status: 404, code: "NoSuchKey" }]);
    const result = await run([...argv, "--only-stale", "--dry-run"], env);
    expect(result).toMatchObject({ code: 0, summary: { spans: 1, planned: 1 } });
    expect(standIn.requests).toHaveLength(1);
    const [sent] = standIn.requests;
    expect(sent!.url).toBe("/my-recordings/movie/cam1/~index/20240102.txt");
    expect(sent!.headers.range).toMatch(/^bytes=\d+-\d+$/);
    expect(String(sent!.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEENV\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=host;range;/,
    );
  });

  it("refuses a FIPS endpoint it would not use: exit 2, nothing sent", async () => {
    awsEnvironment({ AWS_USE_FIPS_ENDPOINT: "true" });
    standIn.script([]);
    const result = await run([...argv, "--dry-run", "--only-stale"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--aws does not support FIPS or dual-stack S3 endpoints/);
    expect(standIn.requests).toEqual([]);
  });
});
