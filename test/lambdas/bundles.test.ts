/**
 * The built Lambdas (aws-lambdas/build.ts: entry + first-event chunks, with the bundling plugins of
 * aws-lambdas/build-plugins.ts) against DynamoDB Local and the local S3 server: the same events as
 * job-state.test.ts and recording-index.test.ts, through the deployed code rather than the sources.
 * What the plugins change (schema keys written as literals, lib-dynamodb tree-shaken, the
 * environment credential provider) must leave every request the SDK sends as it was: the rows,
 * objects and headers written here are the proof.
 *
 * submit-job runs against a MediaConvert stand-in that records each request as it came over the
 * wire: the SDK's JSON serializer walks the bundled schema and silently drops any member the schema
 * lacks, so the built function's CreateJob body is compared byte for byte with the body the full SDK
 * (the source client, in this process) sends for the same request, and the rows it writes show it
 * read the job id, destination and key out of MediaConvert's (rich) answer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateJobCommand, MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { buildLambdas, type LambdaBundle } from "../../aws-lambdas/build.ts";
import { clientRequestToken, uploadEventKey } from "../../aws-lambdas/shared/idempotency.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { buildCreateJobRequest } from "../../aws-lambdas/submit-job/mediaconvert-settings.ts";
import { SUBMIT_JOB_PURPOSE, type SubmitJobResult } from "../../aws-lambdas/submit-job/submit-job.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import {
  readBody,
  sendJson,
  startEmulatorServer,
  type EmulatorServer,
  type Router,
} from "../../local/emulators/http.ts";
import { CAPTURE_GROUP_NAME } from "../../model/captures.ts";
import { HLS_GROUP_NAME, HLS_LADDER } from "../../model/ladder.ts";
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

const REGION = "us-east-1";
const ROLE = "arn:aws:iam::111122223333:role/MediaConvertDefaultRole";
const TEMPLATE = "media-edge-hls-abr";
const QUEUE = "arn:aws:mediaconvert:us-east-1:111122223333:queues/media-edge";
const CREATE_JOB_PATH = "/2017-08-29/jobs";

/** One request as the MediaConvert stand-in received it. */
interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, decoded as UTF-8 (the SDK's JSON is UTF-8). */
  body: string;
  /** The id of the job the stand-in answered with (CreateJob only). */
  answeredJobId?: string;
}

/** The members of a CreateJob body (wire names) that the stand-in's answer builds on. */
interface WireCreateJob {
  role: string;
  jobTemplate: string;
  queue?: string;
  statusUpdateInterval: string;
  userMetadata: Record<string, string>;
  settings: {
    inputs: Array<Record<string, unknown>>;
    outputGroups: [WireHlsGroup, ...Array<Record<string, unknown>>];
  };
}

interface WireHlsGroup {
  name?: string;
  outputGroupSettings: {
    type: string;
    hlsGroupSettings: Record<string, unknown> & {
      destination: string;
      encryption: Record<string, unknown> & { staticKeyProvider: { staticKeyValue: string; url: string } };
    };
  };
  outputs?: unknown[];
}

/** What the stand-in answers a CreateJob with: a job built from the request's wire body and its id. */
type JobAnswer = (sent: WireCreateJob, id: string) => Record<string, unknown>;

/**
 * A stand-in for MediaConvert's REST-JSON API (local/emulators/http.ts's server, on 127.0.0.1):
 * records every request (method, path, headers, raw body) and answers CreateJob
 * (`POST /2017-08-29/jobs`) with 201 `{"job": ...}` built by `answer` (default: `answeredJob`, the
 * request's settings echoed as MediaConvert echoes them); anything else gets the server's JSON 404.
 */
const mediaConvert = {
  requests: [] as CapturedRequest[],
  answer: answeredJob as JobAnswer,
  router: (async (request, response) => {
    const captured: CapturedRequest = {
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body: await readBody(request),
    };
    mediaConvert.requests.push(captured);
    if (captured.method !== "POST" || captured.path !== CREATE_JOB_PATH) return false;
    captured.answeredJobId = fakeJobId();
    const job = mediaConvert.answer(JSON.parse(captured.body) as WireCreateJob, captured.answeredJobId);
    sendJson(response, 201, { job });
    return true;
  }) satisfies Router,
};
let mediaConvertServer: EmulatorServer;

/** The requests received since the last call, in order. */
function takeRequests(): CapturedRequest[] {
  return mediaConvert.requests.splice(0);
}

/**
 * A job as MediaConvert answers CreateJob with it (lowerCamelCase wire names): the request's
 * settings merged with a job template's (the HLS group's name, segment, encryption and codec
 * settings, its renditions; the inputs' selectors: typical values, not those of infra's template,
 * which no assertion reads), and many members submit-job never reads (arn, timing, acceleration,
 * messages, output group details, ...): nested structures the cut schema must skip.
 * `earlier`: MediaConvert answers a ClientRequestToken it saw within the last minute with the job it
 * created then: the same request, made at another time (another output folder) with another key.
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-response-examples
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/idempotency.html
 */
function answeredJob(
  sent: WireCreateJob,
  id: string,
  earlier?: { outputPath: string; keyHex: string },
): Record<string, unknown> {
  let echoed = structuredClone({ settings: sent.settings, userMetadata: sent.userMetadata });
  if (earlier) {
    const sentPath = JSON.stringify(sent.userMetadata.OutputPath).slice(1, -1);
    echoed = JSON.parse(JSON.stringify(echoed).replaceAll(sentPath, earlier.outputPath)) as typeof echoed;
    hlsOf(echoed).encryption.staticKeyProvider.staticKeyValue = earlier.keyHex;
  }
  const { settings, userMetadata } = echoed;
  const [hlsGroup, ...otherGroups] = settings.outputGroups;
  hlsGroup.name = HLS_GROUP_NAME;
  Object.assign(hlsGroup.outputGroupSettings.hlsGroupSettings, {
    segmentLength: HLS_LADDER.segmentSeconds,
    minSegmentLength: 0,
    segmentControl: "SEGMENTED_FILES",
    segmentLengthControl: "GOP_MULTIPLE",
    directoryStructure: "SINGLE_DIRECTORY",
    manifestDurationFormat: "INTEGER",
    manifestCompression: "NONE",
    outputSelection: "MANIFESTS_AND_SEGMENTS",
    programDateTime: "EXCLUDE",
    codecSpecification: "RFC_4281",
    streamInfResolution: "INCLUDE",
    clientCache: "ENABLED",
    timedMetadataId3Frame: "PRIV",
    timedMetadataId3Period: 10,
    minFinalSegmentLength: 0,
  });
  Object.assign(hlsGroup.outputGroupSettings.hlsGroupSettings.encryption, {
    offlineEncrypted: "DISABLED",
    keyProviderType: "STATIC_KEY",
  });
  hlsGroup.outputs = HLS_LADDER.renditions.map((rendition) => ({
    nameModifier: rendition.nameModifier,
    containerSettings: {
      container: "M3U8",
      m3u8Settings: { audioFramesPerPes: 4, pcrControl: "PCR_EVERY_PES_PACKET", pmtPid: 480, videoPid: 481 },
    },
    videoDescription: {
      width: rendition.width,
      height: rendition.height,
      scalingBehavior: "DEFAULT",
      sharpness: 50,
      codecSettings: {
        codec: "H_264",
        h264Settings: {
          rateControlMode: "QVBR",
          maxBitrate: rendition.maxBitrate,
          qvbrSettings: { qvbrQualityLevel: rendition.quality },
          gopSize: 2,
          gopSizeUnits: "SECONDS",
          codecProfile: "MAIN",
          codecLevel: "AUTO",
          sceneChangeDetect: "TRANSITION_DETECTION",
          framerateControl: "INITIALIZE_FROM_SOURCE",
        },
      },
    },
    audioDescriptions: [
      {
        audioSourceName: "Audio Selector 1",
        codecSettings: {
          codec: "AAC",
          aacSettings: {
            bitrate: HLS_LADDER.audio.bitrate,
            sampleRate: HLS_LADDER.audio.sampleRate,
            codingMode: "CODING_MODE_2_0",
            codecProfile: "LC",
            rateControlMode: "CBR",
          },
        },
      },
    ],
    outputSettings: { hlsSettings: { audioGroupId: "program_audio", iFrameOnlyManifest: "EXCLUDE" } },
  }));
  const createdAt = Math.floor(Date.now() / 1000);
  return {
    id,
    arn: `arn:aws:mediaconvert:${REGION}:111122223333:jobs/${id}`,
    role: sent.role,
    jobTemplate: sent.jobTemplate,
    queue: sent.queue ?? `arn:aws:mediaconvert:${REGION}:111122223333:queues/Default`,
    status: "SUBMITTED",
    createdAt,
    statusUpdateInterval: sent.statusUpdateInterval,
    userMetadata,
    accelerationSettings: { mode: "DISABLED" },
    accelerationStatus: "NOT_APPLICABLE",
    billingTagsSource: "JOB",
    priority: 0,
    retryCount: 0,
    simulateReservedQueue: "DISABLED",
    jobEngineVersionRequested: "2026-10-01",
    jobEngineVersionUsed: "2026-10-01",
    messages: { info: [], warning: [] },
    timing: { submitTime: createdAt },
    outputGroupDetails: [],
    queueTransitions: [],
    warnings: [],
    settings: {
      ...settings,
      timecodeConfig: { source: "ZEROBASED" },
      inputs: settings.inputs.map((input) => ({
        ...input,
        audioSelectors: { "Audio Selector 1": { defaultSelection: "DEFAULT", offset: 0, programSelection: 1 } },
        videoSelector: { colorSpace: "FOLLOW", rotate: "DEGREE_0", alphaBehavior: "DISCARD" },
        timecodeSource: "ZEROBASED",
        deblockFilter: "DISABLED",
        denoiseFilter: "DISABLED",
        filterEnable: "AUTO",
        filterStrength: 0,
        psiControl: "USE_PSI",
        inputClippings: [],
      })),
      outputGroups: [hlsGroup, ...otherGroups],
      adAvailOffset: 0,
    },
  };
}

beforeAll(async () => {
  bundles = new Map(
    (await buildLambdas({ outDir, names: ["job-state", "recording-index", "submit-job"] })).map((bundle) => [
      bundle.name,
      bundle,
    ]),
  );
  mediaConvertServer = await startEmulatorServer([mediaConvert.router], 0, "the MediaConvert stand-in");
  // What each function's top level reads, as infra sets it plus the local endpoints.
  vi.stubEnv("AWS_REGION", REGION);
  vi.stubEnv("AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS.secretAccessKey);
  vi.stubEnv("DYNAMODB_ENDPOINT", inject("dynamodbEndpoint"));
  vi.stubEnv("S3_ENDPOINT", inject("s3Endpoint"));
  vi.stubEnv("OUTPUT_BUCKET", buckets.output);
  vi.stubEnv("RECORDINGS_PREFIX", RECORDINGS_PREFIX);
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  vi.stubEnv("MEDIACONVERT_ENDPOINT_URL", mediaConvertServer.endpoint);
  vi.stubEnv("MEDIACONVERT_ROLE", ROLE);
  vi.stubEnv("MEDIACONVERT_JOB_TEMPLATE", TEMPLATE);
  vi.stubEnv("MEDIACONVERT_QUEUE", QUEUE);
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  // Also closes the bundled client's keep-alive connection.
  await mediaConvertServer?.stop();
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

/** The HLS group's settings of a CreateJob body (wire names). */
function hlsOf(body: Pick<WireCreateJob, "settings">): WireHlsGroup["outputGroupSettings"]["hlsGroupSettings"] {
  return body.settings.outputGroups[0].outputGroupSettings.hlsGroupSettings;
}

/** The clock submit-job planned with, read from its output folder's UTC `_yyyymmddHHMMSS/` stamp. */
function plannedAt(destination: string): { now: Date; stamp: string } {
  const match = /_((\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2}))\/$/.exec(destination);
  expect(match, `an output folder ending in _yyyymmddHHMMSS/: ${destination}`).not.toBeNull();
  const [year, month, day, hours, minutes, seconds] = match!.slice(2).map(Number) as [number, ...number[]];
  return { now: new Date(Date.UTC(year, month! - 1, day, hours, minutes, seconds)), stamp: match![1]! };
}

/** Stands for the content key wherever a body or row could be printed: the test never shows the key. */
const KEY_PLACEHOLDER = "<content key>";

/** `text` with its one occurrence of `keyHex` replaced by the placeholder. */
function withoutKey(text: string, keyHex: string): string {
  expect(text.includes(KEY_PLACEHOLDER), "the placeholder is not in the text already").toBe(false);
  expect(text.split(keyHex).length - 1, "the content key occurs exactly once").toBe(1);
  return text.replaceAll(keyHex, KEY_PLACEHOLDER);
}

/** A row with its KeyValue checked against `keyHex` without printing either, then left out. */
function rowWithoutKey(row: Record<string, unknown> | undefined, keyHex: string): Record<string, unknown> {
  expect(row, "the row exists").toBeDefined();
  const { KeyValue, ...rest } = row!;
  expect(KeyValue === keyHex, "KeyValue is the expected content key").toBe(true);
  return rest;
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

  it("submit-job: sends the CreateJob request the full SDK sends, byte for byte", async () => {
    const key = `${uniquePrefix("bundle-submit")}Big Buck Bunny.test.mp4`;
    const eTag = "etag-bundle-request";
    const handler = await bundledHandler<SubmitJobResult>("submit-job");
    takeRequests();
    const before = Math.floor(Date.now() / 1000) * 1000;
    const result = await handler(s3Notification([{ key, eTag }], encodeS3EventKey));
    const after = Date.now();

    // Counted, not shown: a request's body holds the content key.
    const [sent, ...others] = takeRequests();
    expect(others.length, "one request").toBe(0);
    const wire = JSON.parse(sent!.body) as WireCreateJob;
    const keyHex = hlsOf(wire).encryption.staticKeyProvider.staticKeyValue;
    expect(/^[0-9a-f]{32}$/.test(keyHex), "a 32-hex-digit content key was sent").toBe(true);
    // The output folder's time stamp is the invocation's clock (to the second): read it back.
    const { now, stamp } = plannedAt(hlsOf(wire).destination);
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(after);
    const outputPath = `${key}_${stamp}/`;
    expect(result.results).toEqual([
      { outcome: "submitted", bucket: buckets.input, key, jobId: sent!.answeredJobId, outputPath },
    ]);

    // The same request through the full SDK (the source client, every member in its schema).
    const token = clientRequestToken(uploadEventKey(SUBMIT_JOB_PURPOSE, { bucket: buckets.input, key, eTag }));
    const { request } = buildCreateJobRequest({
      input: { bucket: buckets.input, key },
      outputBucket: buckets.output,
      mediaConvert: { role: ROLE, jobTemplate: TEMPLATE, queue: QUEUE },
      keyHex,
      clientRequestToken: token,
      now,
    });
    const sdk = new MediaConvertClient({
      endpoint: mediaConvertServer.endpoint,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await sdk.send(new CreateJobCommand(request));
    } finally {
      sdk.destroy();
    }
    const [reference, ...moreReferences] = takeRequests();
    expect(moreReferences.length, "one request").toBe(0);

    const shape = (captured: CapturedRequest) => ({
      method: captured.method,
      path: captured.path,
      contentType: captured.headers["content-type"],
    });
    expect(shape(sent!)).toEqual(shape(reference!));
    expect(shape(sent!)).toEqual({ method: "POST", path: CREATE_JOB_PATH, contentType: "application/json" });
    // Byte-identical: the same members, values and member order. Compared with the key left out so a
    // failure's diff cannot print it, then compared whole without printing anything.
    const body = withoutKey(sent!.body, keyHex);
    expect(body).toBe(withoutKey(reference!.body, keyHex));
    expect(sent!.body === reference!.body, "the raw bodies are byte-identical").toBe(true);

    // And both are the request submit-job means to send, so two equally wrong bodies cannot pass.
    const frameCaptures = HLS_LADDER.frameCaptures!;
    const destination = `s3://${buckets.output}/${outputPath}`;
    expect(JSON.parse(body)).toEqual({
      role: ROLE,
      settings: {
        inputs: [{ fileInput: `s3://${buckets.input}/${key}`, videoSelector: { rotate: "AUTO" } }],
        outputGroups: [
          {
            outputGroupSettings: {
              type: "HLS_GROUP_SETTINGS",
              hlsGroupSettings: {
                destination,
                encryption: {
                  encryptionMethod: "AES128",
                  initializationVectorInManifest: "INCLUDE",
                  staticKeyProvider: { staticKeyValue: KEY_PLACEHOLDER, url: "Big Buck Bunny.test.key" },
                  type: "STATIC_KEY",
                },
              },
            },
          },
          {
            name: CAPTURE_GROUP_NAME,
            outputGroupSettings: { type: "FILE_GROUP_SETTINGS", fileGroupSettings: { destination } },
            outputs: frameCaptures.boxes.map((box) => ({
              containerSettings: { container: "RAW" },
              nameModifier: `_thumb${box.width}`,
              videoDescription: {
                codecSettings: {
                  codec: "FRAME_CAPTURE",
                  frameCaptureSettings: {
                    framerateDenominator: frameCaptures.intervalSeconds,
                    framerateNumerator: 1,
                    maxCaptures: frameCaptures.maxCaptures,
                    quality: frameCaptures.quality,
                  },
                },
                width: box.width,
                height: box.height,
                scalingBehavior: "FIT_NO_UPSCALE",
              },
            })),
          },
        ],
      },
      clientRequestToken: token,
      jobTemplate: TEMPLATE,
      queue: QUEUE,
      statusUpdateInterval: "SECONDS_10",
      userMetadata: {
        JobCreatedBy: "media-edge",
        InputBucket: buckets.input,
        InputFile: key,
        OutputPath: outputPath,
        OutputBucket: buckets.output,
      },
    });
  });

  it("submit-job: records what MediaConvert answered: the planned output, and a replayed job's own output", async () => {
    const handler = await bundledHandler<SubmitJobResult>("submit-job");
    takeRequests();

    // A new job: the answer echoes what was sent (plus the template's members), so the planned output is recorded.
    const key = `${uniquePrefix("bundle-answer")}movie.mp4`;
    const result = await handler(s3Notification([{ key, eTag: "etag-bundle-new" }], encodeS3EventKey));
    const [sent] = takeRequests();
    const wire = JSON.parse(sent!.body) as WireCreateJob;
    const keyHex = hlsOf(wire).encryption.staticKeyProvider.staticKeyValue;
    const outputPath = hlsOf(wire).destination.slice(`s3://${buckets.output}/`.length);
    const jobId = sent!.answeredJobId!;
    expect(result.results).toEqual([{ outcome: "submitted", bucket: buckets.input, key, jobId, outputPath }]);
    expect(rowWithoutKey(await getRow(doc, "jobIdToOutput", jobId), keyHex)).toEqual({
      JobId: jobId,
      InputFile: key,
      InputBucket: buckets.input,
      OutputBucket: buckets.output,
      OutputPath: outputPath,
      KeyFile: "movie.key",
      CreationTime: expect.any(Number),
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "SUBMITTED", InputFile: key });
    expect(await getRow(doc, "inputFileToJobId", key)).toMatchObject({ JobId: jobId });

    // A replayed ClientRequestToken (as after a takeover within a minute of a crashed invocation's
    // CreateJob): MediaConvert answers with the job it created then, whose destination and key are not
    // the ones just sent. Those are what the segments will have.
    const replayedKey = `${uniquePrefix("bundle-replay")}movie.mp4`;
    const earlierPath = `${replayedKey}_20261121123400/`;
    const earlierKeyHex = "00112233445566778899aabbccddeeff";
    mediaConvert.answer = (replayed, id) =>
      answeredJob(replayed, id, { outputPath: earlierPath, keyHex: earlierKeyHex });
    try {
      const eTag = "etag-bundle-replay";
      const replayedResult = await handler(s3Notification([{ key: replayedKey, eTag }], encodeS3EventKey));
      const [replayedRequest] = takeRequests();
      const replayedId = replayedRequest!.answeredJobId!;
      const sentKeyHex = hlsOf(JSON.parse(replayedRequest!.body) as WireCreateJob).encryption.staticKeyProvider
        .staticKeyValue;
      expect(sentKeyHex === earlierKeyHex, "the answer's key is not the one sent").toBe(false);
      expect(replayedResult.results).toEqual([
        { outcome: "submitted", bucket: buckets.input, key: replayedKey, jobId: replayedId, outputPath: earlierPath },
      ]);
      expect(rowWithoutKey(await getRow(doc, "jobIdToOutput", replayedId), earlierKeyHex)).toEqual({
        JobId: replayedId,
        InputFile: replayedKey,
        InputBucket: buckets.input,
        OutputBucket: buckets.output,
        OutputPath: earlierPath,
        KeyFile: "movie.key",
        CreationTime: expect.any(Number),
      });
      expect(await getRow(doc, "jobIdToStatus", replayedId)).toMatchObject({
        JobStatus: "SUBMITTED",
        InputFile: replayedKey,
      });
      expect(await getRow(doc, "inputFileToJobId", replayedKey)).toMatchObject({ JobId: replayedId });
      const claim = uploadEventKey(SUBMIT_JOB_PURPOSE, { bucket: buckets.input, key: replayedKey, eTag });
      expect(await getRow(doc, "uploadEvents", claim)).toMatchObject({
        ClaimState: "DONE",
        Result: { JobId: replayedId, OutputPath: earlierPath },
      });
    } finally {
      mediaConvert.answer = answeredJob;
    }
  });
});
