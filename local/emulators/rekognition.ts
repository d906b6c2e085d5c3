/**
 * A local Amazon Rekognition Video (face detection only) for `npm start` and the end-to-end tests.
 *
 * Protocol: AWS JSON 1.1 — `POST /` with `X-Amz-Target: RekognitionService.<Operation>`, PascalCase
 * JSON, errors as HTTP 400 `{"__type": "<Name>Exception", "Message": ...}`.
 * - StartFaceDetection: validates like the API (token and JobTag patterns, ARNs, FaceAttributes), checks
 *   the object exists (InvalidS3ObjectException), honours ClientRequestToken (same token and parameters
 *   -> same JobId; other parameters -> IdempotentParameterMismatchException) and the 20 concurrent jobs
 *   limit (LimitExceededException).
 *   https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceDetection.html
 * - GetFaceDetection: JobStatus, StatusMessage, VideoMetadata, Faces sorted by time, paged with
 *   MaxResults (default and maximum 1000) and an opaque NextToken that expires after 24 hours
 *   (InvalidPaginationTokenException), as documented.
 *   https://docs.aws.amazon.com/rekognition/latest/APIReference/API_GetFaceDetection.html
 *   https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
 * - When a job ends it "publishes" the completion notification to its NotificationChannel: `publish`
 *   receives the event SNS would hand to a subscribed Lambda, the payload a JSON string in
 *   `Records[].Sns.Message` ({JobId, Status, API, JobTag, Timestamp, Video}).
 *   https://docs.aws.amazon.com/rekognition/latest/dg/video-notification-payload.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 *
 * THE FACES ARE SYNTHETIC. Nothing looks at the pictures: ffprobe reads the video's duration, size and
 * frame rate, and the emulator places one or two faces every FACE_INTERVAL_MS (500 ms) from 0 to the
 * end, with bounding boxes, landmarks, pose and confidence derived from a SHA-256 of the object and the
 * time. The same video always gives the same faces, so tests can count them. Without ffprobe, or for a
 * file it cannot read, the job ends FAILED with a StatusMessage saying why.
 */
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { readBody, sendJson, serveEmulator, type EmulatorServer, type Router } from "./http.ts";
import { ProbeError, hasTool, probe } from "./media-tools.ts";

/** Time between two synthetic face samples. */
export const FACE_INTERVAL_MS = 500;

/** GetFaceDetection's page size limit and default. */
export const MAX_RESULTS = 1000;

/** Rekognition Video's concurrent job quota ("20 concurrent jobs" per account). */
export const MAX_CONCURRENT_JOBS = 20;

/** NextToken lifetime: "NextToken expires after 24 hours". */
const NEXT_TOKEN_TTL_MS = 24 * 3_600_000;

/** The event SNS hands to a subscribed Lambda function. */
export interface SnsLambdaEvent {
  Records: Array<{
    EventSource: "aws:sns";
    EventVersion: string;
    EventSubscriptionArn: string;
    Sns: {
      Type: "Notification";
      MessageId: string;
      TopicArn: string;
      Subject: string | null;
      Message: string;
      Timestamp: string;
      SignatureVersion: string;
      Signature: string;
      SigningCertUrl: string;
      UnsubscribeUrl: string;
      MessageAttributes: Record<string, unknown>;
    };
  }>;
}

export interface RekognitionEmulatorOptions {
  /** Client of the S3 server videos are read from. */
  s3: S3Client;
  /** SNS stand-in: receives the completion notification of jobs with a NotificationChannel (not awaited). */
  publish: (event: SnsLambdaEvent) => unknown;
  region?: string;
  accountId?: string;
  ffprobe?: string;
  /** Least time a job stays IN_PROGRESS (real jobs take about as long as the video). */
  processingDelayMs?: number;
  maxConcurrentJobs?: number;
  log?: (message: string) => void;
}

/** What a running emulator offers besides its router. */
export interface RekognitionEmulator {
  router: Router;
  /** Resolves when no job is in progress and every notification was handed over. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type FaceDetection = { Timestamp: number; Face: Record<string, unknown> };

interface Job {
  jobId: string;
  status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
  statusMessage?: string;
  video: { Bucket: string; Name: string; Version?: string };
  jobTag?: string;
  channel?: { SNSTopicArn: string; RoleArn: string };
  faceAttributes: "DEFAULT" | "ALL";
  fingerprint: string;
  videoMetadata?: Record<string, unknown>;
  faces: FaceDetection[];
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const TOKEN = /^[a-zA-Z0-9-_]{1,64}$/;
const JOB_TAG = /^[a-zA-Z0-9_.\-:]{1,256}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const JSON_11 = "application/x-amz-json-1.1";

/** The synthetic faces of a video (see the module comment). Deterministic. */
export function syntheticFaces(
  video: { bucket: string; key: string },
  durationMs: number,
  attributes: "DEFAULT" | "ALL" = "DEFAULT",
): FaceDetection[] {
  const faces: FaceDetection[] = [];
  for (let t = 0; t < durationMs; t += FACE_INTERVAL_MS) {
    const hash = createHash("sha256").update(`${video.bucket}/${video.key}@${t}`).digest();
    const count = 1 + (hash[0]! & 1);
    for (let index = 0; index < count; index++) {
      const b = (n: number) => hash[1 + index * 15 + n]! / 255;
      const width = round(0.08 + b(0) * 0.2);
      const height = round(width * (1.2 + b(1) * 0.3));
      const left = round(b(2) * (1 - width));
      const top = round(b(3) * (1 - height));
      const at = (x: number, y: number) => ({ X: round(left + x * width), Y: round(top + y * height) });
      const face: Record<string, unknown> = {
        BoundingBox: { Width: width, Height: height, Left: left, Top: top },
        Landmarks: [
          { Type: "eyeLeft", ...at(0.3, 0.35) },
          { Type: "eyeRight", ...at(0.7, 0.35) },
          { Type: "mouthLeft", ...at(0.35, 0.75) },
          { Type: "mouthRight", ...at(0.65, 0.75) },
          { Type: "nose", ...at(0.5, 0.55) },
        ],
        Pose: { Roll: round((b(4) - 0.5) * 40), Yaw: round((b(5) - 0.5) * 60), Pitch: round((b(6) - 0.5) * 40) },
        Quality: { Brightness: round(40 + b(7) * 50), Sharpness: round(50 + b(8) * 45) },
        Confidence: round(90 + b(9) * 9.99, 3),
      };
      if (attributes === "ALL") {
        const low = Math.round(18 + b(10) * 40);
        Object.assign(face, {
          AgeRange: { Low: low, High: low + 8 },
          Smile: { Value: b(11) > 0.5, Confidence: round(80 + b(12) * 19) },
          Eyeglasses: { Value: false, Confidence: 97.5 },
          Sunglasses: { Value: false, Confidence: 99.1 },
          EyesOpen: { Value: true, Confidence: round(85 + b(13) * 14) },
          MouthOpen: { Value: b(14) > 0.7, Confidence: 90.2 },
          Emotions: [
            { Type: "CALM", Confidence: round(50 + b(11) * 40) },
            { Type: "HAPPY", Confidence: round(b(12) * 40) },
          ],
        });
      }
      faces.push({ Timestamp: t, Face: face });
    }
  }
  return faces;
}

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** One emulator's state and settings, passed to the module-level functions below. */
interface Emulator {
  options: RekognitionEmulatorOptions;
  region: string;
  log: (message: string) => void;
  jobs: Map<string, Job>;
  /** ClientRequestToken -> JobId. */
  tokens: Map<string, string>;
  /** Running jobs and notifications not yet handed over. */
  running: Set<Promise<void>>;
  abort: AbortController;
  /** Signs NextTokens, so a token from another job or a tampered one is refused like AWS refuses it. */
  tokenSecret: Buffer;
}

/** Builds the emulator; mount `router` on a server (or use `startRekognitionEmulator`). */
export function createRekognitionEmulator(options: RekognitionEmulatorOptions): RekognitionEmulator {
  const emulator: Emulator = {
    options,
    region: options.region ?? "us-east-1",
    log: options.log ?? (() => undefined),
    jobs: new Map(),
    tokens: new Map(),
    running: new Set(),
    abort: new AbortController(),
    tokenSecret: randomBytes(32),
  };
  const settle = async () => {
    while (emulator.running.size > 0) await Promise.all([...emulator.running]);
  };
  return {
    router: (request, response) => route(emulator, request, response),
    idle: settle,
    stop: async () => {
      emulator.abort.abort();
      await settle();
    },
  };
}

/** Keeps `work` in `running` until it settles (idle() and stop() wait for it). */
function track(emulator: Emulator, work: Promise<void>): void {
  emulator.running.add(work);
  void work.finally(() => emulator.running.delete(work));
}

function encodeNextToken(emulator: Emulator, jobId: string, offset: number): string {
  const payload = Buffer.from(JSON.stringify({ j: jobId, o: offset, t: Date.now() })).toString("base64url");
  const mac = createHmac("sha256", emulator.tokenSecret).update(payload).digest("base64url").slice(0, 22);
  return `${payload}.${mac}`;
}

function decodeNextToken(emulator: Emulator, token: string, jobId: string): number {
  const invalid = new ApiError("InvalidPaginationTokenException", "Invalid Token");
  const [payload, mac] = token.split(".");
  if (!payload || !mac) throw invalid;
  if (createHmac("sha256", emulator.tokenSecret).update(payload).digest("base64url").slice(0, 22) !== mac) {
    throw invalid;
  }
  const parsed = JSON.parse(Buffer.from(payload, "base64url").toString()) as { j: string; o: number; t: number };
  if (parsed.j !== jobId || Date.now() - parsed.t > NEXT_TOKEN_TTL_MS) throw invalid;
  return parsed.o;
}

/** A StartFaceDetection request that passed validation. */
interface StartRequest {
  video: { Bucket: string; Name: string; Version?: string };
  token?: string;
  jobTag?: string;
  channel?: { SNSTopicArn: string; RoleArn: string };
  faceAttributes: "DEFAULT" | "ALL";
}

/** Validates a StartFaceDetection body with Rekognition's error types and messages. */
function parseStartRequest(body: Record<string, unknown>): StartRequest {
  const video = record(record(body.Video).S3Object);
  if (typeof video.Bucket !== "string" || video.Bucket === "" || typeof video.Name !== "string" || video.Name === "") {
    throw new ApiError("InvalidParameterException", "Request has invalid parameters: Video.S3Object Bucket and Name.");
  }
  const token = body.ClientRequestToken;
  if (token !== undefined && (typeof token !== "string" || !TOKEN.test(token))) {
    throw new ApiError(
      "ValidationException",
      "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]+$",
    );
  }
  const jobTag = body.JobTag;
  if (jobTag !== undefined && (typeof jobTag !== "string" || !JOB_TAG.test(jobTag))) {
    throw new ApiError(
      "ValidationException",
      "1 validation error detected: Value at 'jobTag' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-:]+",
    );
  }
  const channel = body.NotificationChannel === undefined ? undefined : record(body.NotificationChannel);
  const validChannel =
    typeof channel?.SNSTopicArn === "string" &&
    SNS_TOPIC_ARN.test(channel.SNSTopicArn) &&
    typeof channel.RoleArn === "string" &&
    ROLE_ARN.test(channel.RoleArn);
  if (channel && !validChannel) {
    throw new ApiError(
      "ValidationException",
      "1 validation error detected: NotificationChannel needs an SNS topic ARN and an IAM role ARN.",
    );
  }
  const faceAttributes = body.FaceAttributes ?? "DEFAULT";
  if (faceAttributes !== "DEFAULT" && faceAttributes !== "ALL") {
    throw new ApiError(
      "ValidationException",
      "1 validation error detected: Value at 'faceAttributes' must be DEFAULT or ALL.",
    );
  }
  return {
    video: {
      Bucket: video.Bucket,
      Name: video.Name,
      ...(typeof video.Version === "string" ? { Version: video.Version } : {}),
    },
    faceAttributes,
    ...(typeof token === "string" ? { token } : {}),
    ...(typeof jobTag === "string" ? { jobTag } : {}),
    ...(channel ? { channel: { SNSTopicArn: String(channel.SNSTopicArn), RoleArn: String(channel.RoleArn) } } : {}),
  };
}

function startFaceDetection(emulator: Emulator, body: Record<string, unknown>): { JobId: string } {
  const { token, ...start } = parseStartRequest(body);
  const { ClientRequestToken: _token, ...parameters } = body;
  const fingerprint = JSON.stringify(parameters, [...keyNames(parameters)].sort());
  const earlier = token === undefined ? undefined : emulator.tokens.get(token);
  if (earlier) {
    if (emulator.jobs.get(earlier)?.fingerprint !== fingerprint) {
      throw new ApiError(
        "IdempotentParameterMismatchException",
        "A ClientRequestToken input parameter was reused with an operation, but at least one of the other input parameters is different from the previous call to the operation.",
      );
    }
    return { JobId: earlier };
  }
  const inProgress = [...emulator.jobs.values()].filter((job) => job.status === "IN_PROGRESS").length;
  if (inProgress >= (emulator.options.maxConcurrentJobs ?? MAX_CONCURRENT_JOBS)) {
    throw new ApiError(
      "LimitExceededException",
      "An Amazon Rekognition service limit was exceeded. For example, if you start too many Amazon Rekognition Video jobs concurrently, calls to start operations (StartLabelDetection, for example) will raise a LimitExceededException exception (HTTP status code: 400) until the number of concurrently running jobs is below the Amazon Rekognition service limit.",
    );
  }
  // Rekognition job ids are 64 hex digits.
  const jobId = randomBytes(32).toString("hex");
  const job: Job = { jobId, status: "IN_PROGRESS", fingerprint, faces: [], ...start };
  emulator.jobs.set(jobId, job);
  if (token !== undefined) emulator.tokens.set(token, jobId);
  track(
    emulator,
    runJob(emulator, job).catch((error: Error) => emulator.log(`Rekognition job ${jobId} crashed: ${error.message}`)),
  );
  emulator.log(
    `Rekognition face detection ${jobId.slice(0, 12)}…: IN_PROGRESS (s3://${job.video.Bucket}/${job.video.Name})`,
  );
  return { JobId: jobId };
}

async function assertObjectExists(emulator: Emulator, body: Record<string, unknown>): Promise<void> {
  const video = record(record(body.Video).S3Object);
  if (typeof video.Bucket !== "string" || typeof video.Name !== "string") return;
  try {
    await emulator.options.s3.send(
      new HeadObjectCommand({
        Bucket: video.Bucket,
        Key: video.Name,
        ...(typeof video.Version === "string" ? { VersionId: video.Version } : {}),
      }),
    );
  } catch {
    throw new ApiError(
      "InvalidS3ObjectException",
      "Unable to get object metadata from S3. Check object key, region and/or access permissions.",
    );
  }
}

async function runJob(emulator: Emulator, job: Job): Promise<void> {
  const started = Date.now();
  const { options, abort } = emulator;
  let work: string | undefined;
  try {
    if (!(await hasTool(options.ffprobe ?? "ffprobe"))) {
      finish(
        emulator,
        job,
        "FAILED",
        "The local Rekognition emulator needs ffprobe (part of ffmpeg) on PATH to read the video.",
      );
      return;
    }
    work = await mkdtemp(join(tmpdir(), "media-edge-rekognition-"));
    await analyse(emulator, job, join(work, "video"));
    const wait = (options.processingDelayMs ?? 500) - (Date.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    finish(emulator, job, "SUCCEEDED");
  } catch (error) {
    if (abort.signal.aborted) return;
    // Rekognition's StatusMessage for a file it cannot decode.
    const message =
      error instanceof ProbeError
        ? "Unsupported codec/format."
        : `Video could not be read: ${(error as Error).message}`;
    finish(emulator, job, "FAILED", message);
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
}

/** Downloads the video to `file`, probes it and fills the job's metadata and synthetic faces. */
async function analyse({ options, abort }: Emulator, job: Job, file: string): Promise<void> {
  const object = await options.s3.send(
    new GetObjectCommand({
      Bucket: job.video.Bucket,
      Key: job.video.Name,
      ...(job.video.Version ? { VersionId: job.video.Version } : {}),
    }),
    { abortSignal: abort.signal },
  );
  await pipeline(object.Body as Readable, createWriteStream(file), { signal: abort.signal });
  const info = await probe(file, options.ffprobe);
  job.videoMetadata = {
    Codec: info.video!.codec,
    DurationMillis: info.durationMs,
    Format: info.format,
    FrameRate: round(info.video!.frameRate, 3),
    FrameHeight: info.video!.height,
    FrameWidth: info.video!.width,
    ColorRange: info.video!.colorRange === "pc" ? "FULL" : "LIMITED",
  };
  job.faces = syntheticFaces({ bucket: job.video.Bucket, key: job.video.Name }, info.durationMs, job.faceAttributes);
}

function finish(emulator: Emulator, job: Job, status: "SUCCEEDED" | "FAILED", message?: string): void {
  job.status = status;
  if (message) job.statusMessage = message;
  emulator.log(
    `Rekognition face detection ${job.jobId.slice(0, 12)}…: ${status}` +
      (status === "SUCCEEDED" ? ` (${job.faces.length} synthetic faces)` : ` (${message})`),
  );
  if (!job.channel) return;
  const event = completionNotification(job, job.channel.SNSTopicArn, emulator.region);
  const delivered = Promise.resolve()
    .then(() => emulator.options.publish(event))
    .then(
      () => undefined,
      (error: Error) =>
        emulator.log(`Rekognition notification for ${job.jobId.slice(0, 12)}… not delivered: ${error.message}`),
    );
  track(emulator, delivered);
}

/** The SNS-to-Lambda event carrying Rekognition's completion message for `job`. */
function completionNotification(job: Job, topic: string, region: string): SnsLambdaEvent {
  const now = Date.now();
  const message = JSON.stringify({
    JobId: job.jobId,
    Status: job.status,
    API: "StartFaceDetection",
    ...(job.jobTag ? { JobTag: job.jobTag } : {}),
    Timestamp: now,
    Video: { S3ObjectName: job.video.Name, S3Bucket: job.video.Bucket },
  });
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${topic}:${randomUUID()}`,
        Sns: {
          Type: "Notification",
          MessageId: randomUUID(),
          TopicArn: topic,
          Subject: null,
          Message: message,
          Timestamp: new Date(now).toISOString(),
          SignatureVersion: "1",
          // Not signed: nothing verifies SNS signatures locally.
          Signature: "LOCAL-EMULATOR-UNSIGNED",
          SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
          UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

function getFaceDetection(emulator: Emulator, body: Record<string, unknown>): Record<string, unknown> {
  const jobId = body.JobId;
  if (typeof jobId !== "string" || !TOKEN.test(jobId)) {
    throw new ApiError(
      "ValidationException",
      "1 validation error detected: Value at 'jobId' failed to satisfy constraint.",
    );
  }
  const job = emulator.jobs.get(jobId);
  if (!job) throw new ApiError("ResourceNotFoundException", "The resource specified in the request cannot be found.");
  const maxResults = body.MaxResults === undefined ? MAX_RESULTS : Number(body.MaxResults);
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw new ApiError("InvalidParameterException", "Request has invalid parameters: MaxResults must be at least 1.");
  }
  const common = {
    JobId: job.jobId,
    JobStatus: job.status,
    ...(job.statusMessage ? { StatusMessage: job.statusMessage } : {}),
    Video: { S3Object: job.video },
    ...(job.jobTag ? { JobTag: job.jobTag } : {}),
  };
  if (job.status !== "SUCCEEDED") return common;
  const offset = typeof body.NextToken === "string" ? decodeNextToken(emulator, body.NextToken, job.jobId) : 0;
  // "If you specify a value greater than 1000, a maximum of 1000 results is returned."
  const end = offset + Math.min(maxResults, MAX_RESULTS);
  return {
    ...common,
    VideoMetadata: job.videoMetadata,
    Faces: job.faces.slice(offset, end),
    ...(end < job.faces.length ? { NextToken: encodeNextToken(emulator, job.jobId, end) } : {}),
  };
}

/** The JSON 1.1 API: false when the request is not Rekognition's (another emulator's router may take it). */
async function route(emulator: Emulator, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const target = String(request.headers["x-amz-target"] ?? "");
  if (request.method !== "POST" || !target.startsWith("RekognitionService.")) return false;
  try {
    let body: Record<string, unknown>;
    try {
      body = record(JSON.parse((await readBody(request)) || "{}"));
    } catch {
      throw new ApiError("SerializationException", "The request body is not valid JSON.");
    }
    const operation = target.slice("RekognitionService.".length);
    if (operation === "StartFaceDetection") {
      if (typeof body.ClientRequestToken !== "string" || !emulator.tokens.has(body.ClientRequestToken)) {
        await assertObjectExists(emulator, body);
      }
      sendJson(response, 200, startFaceDetection(emulator, body), {}, JSON_11);
    } else if (operation === "GetFaceDetection") {
      sendJson(response, 200, getFaceDetection(emulator, body), {}, JSON_11);
    } else {
      throw new ApiError("UnknownOperationException", `${operation} is not emulated locally (face detection only).`);
    }
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("InternalServerError", "Emulator failure.", 500);
    sendJson(response, apiError.status, { __type: apiError.type, Message: apiError.message }, {}, JSON_11);
  }
  return true;
}

/** Starts the emulator on its own server (tests); `npm start` mounts the router on a shared one. */
export function startRekognitionEmulator(
  options: RekognitionEmulatorOptions & { port?: number },
): Promise<RekognitionEmulator & EmulatorServer> {
  return serveEmulator(createRekognitionEmulator(options), options.port, "Rekognition emulator");
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Every key name in a JSON value: as a JSON.stringify allow-list it makes the output independent of key order. */
function keyNames(value: unknown, out = new Set<string>()): Set<string> {
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (!Array.isArray(value)) out.add(key);
      keyNames(inner, out);
    }
  }
  return out;
}
