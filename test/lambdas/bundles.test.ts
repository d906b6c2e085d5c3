/**
 * The built Lambdas (aws-lambdas/build.ts: entry + first-event chunks, with the bundling plugins of
 * aws-lambdas/build-plugins.ts) against DynamoDB Local and the local S3 server: the same events as
 * job-state.test.ts and recording-index.test.ts, through the deployed code rather than the sources.
 * What the plugins change (schema keys written as literals, lib-dynamodb tree-shaken, the
 * environment credential provider) must leave every request the SDK sends as it was: the rows,
 * objects and headers written here are the proof.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { buildLambdas, type LambdaBundle } from "../../aws-lambdas/build.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { decodeRecordingIndex, recordingIndexKey } from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import {
  buckets,
  fakeJobId,
  fixture,
  getRow,
  getText,
  putSubmittedJob,
  s3Notification,
  testClients,
  uniquePrefix,
} from "./support.ts";

const { doc, s3 } = testClients();
const outDir = mkdtempSync(join(tmpdir(), "media-edge-bundles-"));
const RECORDINGS_PREFIX = uniquePrefix("bundle-rec").slice(0, -1);
let bundles: Map<string, LambdaBundle>;

beforeAll(async () => {
  bundles = new Map(
    (await buildLambdas({ outDir, names: ["job-state", "recording-index"] })).map((bundle) => [bundle.name, bundle]),
  );
  // What each function's top level reads, as infra sets it plus the local endpoints.
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS.secretAccessKey);
  vi.stubEnv("DYNAMODB_ENDPOINT", inject("dynamodbEndpoint"));
  vi.stubEnv("S3_ENDPOINT", inject("s3Endpoint"));
  vi.stubEnv("OUTPUT_BUCKET", buckets.output);
  vi.stubEnv("RECORDINGS_PREFIX", RECORDINGS_PREFIX);
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
}, 120_000);

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(outDir, { recursive: true, force: true });
});

/** The bundle's handler: its entry module, imported as Lambda imports it. */
async function bundledHandler<Result>(name: string): Promise<(event: unknown) => Promise<Result>> {
  const bundle = bundles.get(name)!;
  expect(bundle.firstEventChunks.length).toBeGreaterThan(0);
  const module = (await import(pathToFileURL(join(outDir, name, "index.mjs")).href)) as {
    handler: (event: unknown) => Promise<Result>;
  };
  return module.handler;
}

describe("the built Lambdas against the local servers", () => {
  it("job-state: STATUS_UPDATE then COMPLETE write the status row and info.json with its headers", async () => {
    const outputPath = `${uniquePrefix("bundle")}Big Buck Bunny.test.mp4_test/`;
    const jobId = await putSubmittedJob(doc, fakeJobId(), outputPath, "Big Buck Bunny.test.mp4");
    const handler = await bundledHandler<Record<string, unknown>>("job-state");
    const event = (path: string) => {
      const text = JSON.stringify(fixture(path)).replaceAll("Big Buck Bunny.test.mp4_test/", outputPath);
      const parsed = JSON.parse(text) as { detail: { jobId: string } };
      parsed.detail.jobId = jobId;
      return parsed;
    };

    expect(await handler(event("seed/status-update-70.json"))).toEqual({
      outcome: "applied",
      jobId,
      status: "STATUS_UPDATE",
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "PROGRESSING", ProgressRate: 70 });
    expect(await handler(event("seed/complete-big-buck-bunny.json"))).toEqual({
      outcome: "applied",
      jobId,
      status: "COMPLETE",
      infoFile: `${outputPath}info.json`,
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      Playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
      Renditions: [{ durationMs: 596458, widthPx: 1280, heightPx: 720 }],
    });
    expect(JSON.parse((await getText(s3, buckets.output, `${outputPath}info.json`))!)).toMatchObject({
      duration_ms: 596458,
      playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
    });
    // Header-bound members (httpHeader traits, the keys the schema plugin rewrites) reach S3.
    const head = await s3.send(new HeadObjectCommand({ Bucket: buckets.output, Key: `${outputPath}info.json` }));
    expect({ type: head.ContentType, cache: head.CacheControl }).toEqual({
      type: "application/json",
      cache: "no-cache",
    });
  });

  it("recording-index: lists the stream's day (ListObjectsV2) and writes its index (conditional PutObject)", async () => {
    const stream = `${RECORDINGS_PREFIX}/cam1/`;
    const day = Date.UTC(2024, 0, 2) / 1000;
    const starts = [day, day + 30, day + 3600];
    for (const start of starts) {
      await s3.send(
        new PutObjectCommand({ Bucket: buckets.recordings, Key: stream + formatSegmentName(start), Body: "ts" }),
      );
    }
    const handler = await bundledHandler<{ indexed: unknown[] }>("recording-index");
    const notification = s3Notification(
      [{ key: stream + formatSegmentName(day + 30), bucket: buckets.recordings }],
      encodeS3EventKey,
    );

    const result = await handler(notification);
    // The segment is of its span's first hour, which the span before carries too: both are rewritten.
    expect(result.indexed).toEqual([
      { bucket: buckets.recordings, streamPrefix: stream, day, segments: 3 },
      { bucket: buckets.recordings, streamPrefix: stream, day: day - 2 * 86_400, segments: 2 },
    ]);
    const key = recordingIndexKey(stream, day);
    // 2024-01-02 starts a two-day span (an even day number), read back with the 30-s segments' block size.
    const index = decodeRecordingIndex((await getText(s3, buckets.recordings, key))!, day, 30);
    expect(index!.names).toEqual(starts.map((start) => formatSegmentName(start)));
    const head = await s3.send(new HeadObjectCommand({ Bucket: buckets.recordings, Key: key }));
    expect(head.ContentType).toBe("text/plain; charset=utf-8");
    // A second event rewrites it over the first (IfMatch on the ETag it read).
    expect((await handler(notification)).indexed).toHaveLength(2);
  });
});
