/**
 * The local event wiring behind `npm start`: the media pipeline's four Lambdas and recording-index run
 * in this process, triggered the way AWS triggers them, with local emulators for the two AWS APIs
 * that have no local equivalent (webhook-deliver runs beside them, local/webhooks.ts).
 *
 *   upload to the input bucket (s3rver event)
 *     -> S3 notification record, normalised to the real shape  -> submit-job  -> MediaConvert emulator
 *                                                               -> faces-start -> Rekognition emulator
 *   MediaConvert emulator "Job State Change" events            -> job-state
 *   Rekognition emulator SNS completion notification           -> faces-collect
 *
 * Both upload functions get every upload, as the two EventBridge "Object Created" rules deliver it in
 * production (faces-start/handler.ts explains why it is not one S3 notification). Each invocation is
 * asynchronous like Lambda's: a failure is logged and retried twice after a short delay (Lambda retries
 * after 1 and 2 minutes; shortened here), then given up with a log line where AWS would use the
 * dead-letter queue. Nothing an event does can crash the stack.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 *
 * s3rver's events are not S3's: the key is not URL-encoded, multipart completion is named
 * `ObjectCreated:Post`, the bucket ARN is malformed, and the sequencer is a millisecond clock that two
 * uploads can share. `s3NotificationRecord` rewrites them to the documented record.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *
 * Configuration: local/defaults.ts (`localLambdaDefaults`), any variable set in the environment wins,
 * read through each function's own config reader, so a bad value fails `npm start` naming it.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { MediaConvertClient } from "@aws-sdk/client-mediaconvert";
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { readFacesCollectConfig } from "../aws-lambdas/faces-collect/config.ts";
import { createFacesCollectHandler } from "../aws-lambdas/faces-collect/faces-collect.ts";
import { readFacesStartConfig } from "../aws-lambdas/faces-start/config.ts";
import { createFacesStartHandler } from "../aws-lambdas/faces-start/faces-start.ts";
import { readJobStateConfig } from "../aws-lambdas/job-state/config.ts";
import { readRecordingIndexConfig } from "../aws-lambdas/recording-index/config.ts";
import { createRecordingIndexHandler } from "../aws-lambdas/recording-index/recording-index.ts";
import { createJobStateHandler } from "../aws-lambdas/job-state/job-state.ts";
import { awsEndpoints } from "../aws-lambdas/shared/config.ts";
import { createLogger, type Log } from "../aws-lambdas/shared/logger.ts";
import { createS3Objects } from "../aws-lambdas/shared/s3-objects.ts";
import type { WebhookSender } from "../aws-lambdas/shared/webhooks.ts";
import { encodeS3EventKey, isObjectCreated, isObjectRemoved } from "../aws-lambdas/shared/s3-events.ts";
import { s3Location } from "../worker/aws/s3-url.ts";
import { readSubmitJobConfig } from "../aws-lambdas/submit-job/config.ts";
import { createSubmitJobHandler } from "../aws-lambdas/submit-job/submit-job.ts";
import { DEFAULT_BUCKETS } from "../model/index.ts";
import { ensureBuckets, localS3Client, type LocalS3Server, type S3ServerEvent } from "./aws.ts";
import { LAMBDA_VARIABLES, localLambdaDefaults, withEnvironment, type LocalEndpoints } from "./defaults.ts";
import { startEmulatorServer } from "./emulators/http.ts";
import { hasTool } from "./emulators/media-tools.ts";
import {
  createMediaConvertEmulator,
  type MediaConvertEmulator,
  type MediaConvertStateChangeEvent,
} from "./emulators/mediaconvert.ts";
import { createRekognitionEmulator, type RekognitionEmulator, type SnsLambdaEvent } from "./emulators/rekognition.ts";
import { runAfterPrevious } from "./per-key.ts";

export interface LocalPipeline {
  stop(): Promise<void>;
  /** Lines for the start-up summary. */
  describe(): string;
  /** The buckets whose uploads start jobs (created if missing). */
  inputBuckets: readonly string[];
  /** Resolves when no event, job or invocation is in flight (tests). */
  idle(): Promise<void>;
}

export interface LocalPipelineOptions {
  s3: LocalS3Server;
  endpoints: LocalEndpoints;
  /** Variables over the defaults (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Emulators' port; default: the port of `endpoints.emulators`; 0 = any free port. */
  emulatorPort?: number;
  /** Logger per function (default: Powertools JSON at POWERTOOLS_LOG_LEVEL, else WARN, on stdout). */
  lambdaLog?: (functionName: string) => Log;
  /** The pipeline's own one-line messages (default: console.log). */
  log?: (line: string) => void;
  /** Delays before the retries of a failed invocation (default 2 s, 5 s). */
  retryDelaysMs?: number[];
  /** Where job-state and faces-collect send applied state changes (local/webhooks.ts); absent = none. */
  webhooks?: WebhookSender;
  /** Emulator pacing (tests make it faster). */
  emulators?: { segmentSeconds?: number; startDelayMs?: number; statusUpdateMs?: number; processingDelayMs?: number };
}

type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

interface LambdaContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Lambda's longest timeout (15 min): local invocations never run short of time. */
const LOCAL_TIMEOUT_MS = 15 * 60_000;

/**
 * An S3 sequencer source: fixed-width hex (18 digits, like S3's) that grows with every call, so two
 * uploads of a key in the same millisecond are still ordered (s3rver's `Date.now()` is not).
 */
export function sequencerSource(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) << 16n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, "0");
  };
}

/**
 * One s3rver event record as the S3 notification record AWS would send: key form-encoded like S3
 * encodes it, `ObjectCreated:CompleteMultipartUpload` for s3rver's `Post`, a well-formed bucket ARN,
 * and the given sequencer. s3rver names both multipart completion and browser form uploads `Post`
 * (and gives multipart objects a plain MD5 ETag, so nothing tells them apart); multipart is what the
 * AWS CLI and the SDK's upload helpers use above 8 MB, so that is the name it gets.
 */
export function s3NotificationRecord(
  record: S3ServerEvent["Records"][number],
  facts: { sequencer: string; region: string; eTag?: string; size?: number },
): Record<string, unknown> {
  const bucket = record.s3.bucket.name;
  const eTag = (facts.eTag ?? record.s3.object.eTag)?.replace(/^"|"$/g, "");
  const raw = record.eventName.replace(/^s3:/, "");
  const eventName = raw === "ObjectCreated:Post" ? "ObjectCreated:CompleteMultipartUpload" : raw;
  const size = facts.size ?? record.s3.object.size;
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: facts.region,
    eventTime: record.eventTime ?? new Date().toISOString(),
    eventName,
    userIdentity: { principalId: "AWS:LOCALUSER" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: {
      "x-amz-request-id": randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
      "x-amz-id-2": "local",
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "media-edge-local",
      bucket: { name: bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(record.s3.object.key),
        ...(size !== undefined ? { size } : {}),
        ...(eTag ? { eTag } : {}),
        sequencer: facts.sequencer,
      },
    },
  };
}

/** What the running pipeline's functions share. */
interface PipelineRuntime {
  print: (line: string) => void;
  retryDelays: number[];
  stopped: boolean;
  /** Events, jobs and invocations in flight. */
  inflight: Set<Promise<unknown>>;
  /** Per MediaConvert job, the tail of its chain of job-state invocations (handed over in order). */
  jobChains: Map<string, Promise<unknown>>;
  /** Set once the configuration is read (after the emulators listen: their address is part of it). */
  lambdas?: LocalLambdas;
}

/** The pipeline's four functions and recording-index, with their configuration and clients. */
interface LocalLambdas {
  env: Record<string, string>;
  region: string;
  clients: ReturnType<typeof lambdaClients>;
  /** submit-job and faces-start: both get every upload. */
  uploadHandlers: Array<{ name: string; handler: Handler }>;
  jobState: Handler;
  facesCollect: Handler;
  /** The buckets whose uploads start them. */
  inputBuckets: string[];
  /** recording-index, on the recordings bucket's segments. */
  recordingIndex: Handler;
  recordingsBucket: string;
  recordingsFolder: string;
}

type Emulators = { mediaConvert: MediaConvertEmulator; rekognition: RekognitionEmulator };

function track<T>(runtime: PipelineRuntime, promise: Promise<T>): Promise<T> {
  runtime.inflight.add(promise);
  void promise.finally(() => runtime.inflight.delete(promise)).catch(() => undefined);
  return promise;
}

/** One asynchronous invocation, with Lambda's retries (shortened) and a log line per attempt. */
async function invoke(runtime: PipelineRuntime, name: string, handler: Handler, event: unknown, what: string) {
  const attempts = [0, ...runtime.retryDelays];
  for (const [attempt, delay] of attempts.entries()) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (runtime.stopped) return;
    const deadline = Date.now() + LOCAL_TIMEOUT_MS;
    try {
      const result = await handler(event, {
        functionName: `local-${name}`,
        awsRequestId: randomUUID(),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      });
      runtime.print(`  ${name} <- ${what}: ${summarise(result)}`);
      return;
    } catch (error) {
      const retry = attempt + 1 < attempts.length;
      runtime.print(
        `  ${name} <- ${what}: ${(error as Error).name}: ${(error as Error).message}` +
          (retry
            ? ` (retrying in ${attempts[attempt + 1]} ms)`
            : " (giving up: in AWS the event goes to the dead-letter queue)"),
      );
    }
  }
}

/**
 * EventBridge rule "MediaConvert Job State Change" -> job-state. One job's events are handed over in
 * order here (EventBridge does not promise that; job-state copes either way).
 */
function onJobEvent(runtime: PipelineRuntime, event: MediaConvertStateChangeEvent): void {
  const jobId = event.detail.jobId;
  const next = runAfterPrevious(runtime.jobChains, jobId, () =>
    invoke(runtime, "job-state", runtime.lambdas!.jobState, event, describeJobEvent(event)),
  );
  void track(runtime, next);
}

/**
 * The MediaConvert and Rekognition emulators. Their own S3 access is the S3 server itself
 * (MediaConvert and Rekognition read the input and write the output with their IAM roles, not with
 * the Lambdas' credentials).
 */
function createEmulators(runtime: PipelineRuntime, options: LocalPipelineOptions, s3: S3Client): Emulators {
  const pacing = options.emulators ?? {};
  const mediaConvert = createMediaConvertEmulator({
    s3,
    log: runtime.print,
    ...(pacing.segmentSeconds ? { segmentSeconds: pacing.segmentSeconds } : {}),
    ...(pacing.startDelayMs !== undefined ? { startDelayMs: pacing.startDelayMs } : {}),
    ...(pacing.statusUpdateMs ? { statusUpdateMs: pacing.statusUpdateMs } : {}),
    onEvent: (event: MediaConvertStateChangeEvent) => onJobEvent(runtime, event),
  });
  const rekognition = createRekognitionEmulator({
    s3,
    log: runtime.print,
    ...(pacing.processingDelayMs !== undefined ? { processingDelayMs: pacing.processingDelayMs } : {}),
    // SNS topic subscription -> faces-collect.
    publish: (event: SnsLambdaEvent) =>
      track(
        runtime,
        invoke(runtime, "faces-collect", runtime.lambdas!.facesCollect, event, describeNotification(event)),
      ),
  });
  return { mediaConvert, rekognition };
}

/** Reads each function's configuration from `env` (a bad value throws, naming it) and builds the four. */
function createLambdas(
  env: Record<string, string>,
  lambdaLog: ((name: string) => Log) | undefined,
  webhooks: WebhookSender | undefined,
): LocalLambdas {
  const submitConfig = readSubmitJobConfig(env);
  const facesStartConfig = readFacesStartConfig(env);
  const jobStateConfig = readJobStateConfig(env);
  const facesCollectConfig = readFacesCollectConfig(env);
  const recordingIndexConfig = readRecordingIndexConfig(env);
  const clients = lambdaClients(env, {
    mediaConvert: submitConfig.mediaConvert.endpoint,
    rekognition: facesStartConfig.rekognition.endpoint,
    rekognitionCollect: facesCollectConfig.rekognitionEndpoint,
  });
  const logFor =
    lambdaLog ??
    ((name: string) =>
      createLogger(name, new Logger({ serviceName: name, logLevel: (env.POWERTOOLS_LOG_LEVEL || "WARN") as "WARN" })));
  const { dynamodb, objects, mediaConvert, rekognition, rekognitionCollect } = clients;
  return {
    env,
    region: env.AWS_REGION || "us-east-1",
    clients,
    uploadHandlers: [
      {
        name: "submit-job",
        handler: createSubmitJobHandler({
          config: submitConfig,
          clients: { dynamodb, mediaConvert },
          log: logFor("submit-job"),
        }) as Handler,
      },
      {
        name: "faces-start",
        handler: createFacesStartHandler({
          config: facesStartConfig,
          clients: { dynamodb, rekognition },
          log: logFor("faces-start"),
        }) as Handler,
      },
    ],
    jobState: createJobStateHandler({
      config: jobStateConfig,
      clients: { dynamodb, s3: objects },
      log: logFor("job-state"),
      ...(webhooks ? { webhooks } : {}),
    }) as Handler,
    facesCollect: createFacesCollectHandler({
      config: facesCollectConfig,
      clients: { dynamodb, s3: objects, rekognition: rekognitionCollect },
      log: logFor("faces-collect"),
      ...(webhooks ? { webhooks } : {}),
    }) as Handler,
    inputBuckets: submitConfig.inputBuckets.length > 0 ? submitConfig.inputBuckets : [DEFAULT_BUCKETS.input],
    recordingIndex: createRecordingIndexHandler({
      config: recordingIndexConfig,
      s3: objects,
      log: logFor("recording-index"),
    }) as Handler,
    recordingsBucket: env.RECORDINGS_BUCKET || DEFAULT_BUCKETS.recordings,
    recordingsFolder: recordingIndexConfig.recordingsFolder,
  };
}

/** s3rver event -> one S3 notification per object -> both upload functions. */
async function onUpload(
  runtime: PipelineRuntime,
  facts: { s3: S3Client; nextSequencer: () => string },
  record: S3ServerEvent["Records"][number],
): Promise<void> {
  const lambdas = runtime.lambdas!;
  const bucket = record.s3.bucket.name;
  const key = record.s3.object.key;
  let object: { eTag?: string; size?: number } = {};
  if (!record.s3.object.eTag) {
    // s3rver's Copy events carry no ETag; S3's do, and the upload functions key idempotency on it.
    const head = await facts.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    object = {
      ...(head.ETag ? { eTag: head.ETag } : {}),
      ...(head.ContentLength !== undefined ? { size: head.ContentLength } : {}),
    };
  }
  const notification = {
    Records: [s3NotificationRecord(record, { ...object, sequencer: facts.nextSequencer(), region: lambdas.region })],
  };
  const eventName = (notification.Records[0] as { eventName: string }).eventName;
  runtime.print(`Upload s3://${bucket}/${key} (${eventName})`);
  await Promise.all(
    lambdas.uploadHandlers.map(({ name, handler }) =>
      invoke(runtime, name, handler, notification, `s3://${bucket}/${key}`),
    ),
  );
}

/** Production's EventBridge rules: "Object Created" in the input bucket(s) -> the upload functions. */
function subscribeUploads(runtime: PipelineRuntime, server: LocalS3Server, s3: S3Client): void {
  const nextSequencer = sequencerSource();
  server.onEvent((event) => {
    if (runtime.stopped) return;
    for (const record of event.Records ?? []) {
      if (!runtime.lambdas!.inputBuckets.includes(record.s3?.bucket?.name)) continue;
      if (!isObjectCreated(record.eventName ?? "")) continue;
      track(
        runtime,
        onUpload(runtime, { s3, nextSequencer }, record).catch((error: Error) =>
          runtime.print(
            `Upload event for s3://${record.s3.bucket.name}/${record.s3.object.key} not handled: ${error.message}`,
          ),
        ),
      );
    }
  });
}

/**
 * Production's S3 notification on the recordings bucket (ObjectCreated, ObjectRemoved, prefix
 * RECORDINGS_PREFIX/, suffix .ts) -> recording-index, which rebuilds the segment's day index. The
 * local S3 server has no lifecycle rules; its deletes, single or batched, send events.
 */
function subscribeRecordings(runtime: PipelineRuntime, server: LocalS3Server): void {
  const nextSequencer = sequencerSource();
  server.onEvent((event) => {
    if (runtime.stopped) return;
    const lambdas = runtime.lambdas!;
    for (const record of event.Records ?? []) {
      const key = record.s3?.object?.key ?? "";
      const eventName = record.eventName ?? "";
      if (record.s3?.bucket?.name !== lambdas.recordingsBucket) continue;
      if (!isObjectCreated(eventName) && !isObjectRemoved(eventName)) continue;
      if (!key.startsWith(lambdas.recordingsFolder) || !key.endsWith(".ts")) continue;
      const notification = {
        Records: [s3NotificationRecord(record, { sequencer: nextSequencer(), region: lambdas.region })],
      };
      track(
        runtime,
        invoke(
          runtime,
          "recording-index",
          lambdas.recordingIndex,
          notification,
          `s3://${lambdas.recordingsBucket}/${key}`,
        ),
      );
    }
  });
}

/** The pipeline's lines of the start-up summary. */
function describePipeline(facts: {
  emulators: string;
  s3Endpoint: string;
  lambdas: LocalLambdas;
  tools: { ffmpeg: boolean; awsCli: boolean };
}): string {
  const { inputBuckets, env, region } = facts.lambdas;
  const lines = [
    `  AWS emulators           ${facts.emulators}   MediaConvert (ffmpeg) and Rekognition (synthetic faces)`,
    `  Lambdas (in process)    submit-job + faces-start <- uploads to s3://${inputBuckets.join(", s3://")}/`,
    "                          job-state <- MediaConvert events, faces-collect <- Rekognition notifications",
    `                          recording-index <- segments in s3://${facts.lambdas.recordingsBucket}/${facts.lambdas.recordingsFolder} (new, deleted)`,
  ];
  if (env.MEDIACONVERT_ENDPOINT_URL && env.MEDIACONVERT_ENDPOINT_URL !== facts.emulators) {
    lines.push(
      `                          MediaConvert at ${env.MEDIACONVERT_ENDPOINT_URL} (MEDIACONVERT_ENDPOINT_URL)`,
    );
  }
  if (env.REKOGNITION_ENDPOINT_URL && env.REKOGNITION_ENDPOINT_URL !== facts.emulators) {
    lines.push(`                          Rekognition at ${env.REKOGNITION_ENDPOINT_URL} (REKOGNITION_ENDPOINT_URL)`);
  }
  if (!facts.tools.ffmpeg) {
    lines.push(
      "  WARNING                 ffmpeg/ffprobe not found: jobs will end in ERROR (apt-get install -y ffmpeg / brew install ffmpeg)",
    );
  }
  lines.push(
    `  Try it                  upload a video to s3://${inputBuckets[0]!}/ to start a job:`,
    "                            npm run upload -- path/to/video.mp4",
  );
  if (facts.tools.awsCli) {
    lines.push(
      `                            AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --region ${region} --endpoint-url ${facts.s3Endpoint} s3 cp video.mp4 s3://${inputBuckets[0]!}/`,
    );
  }
  return lines.join("\n");
}

/** Resolves when nothing is in flight: events beget events (an upload starts jobs whose events invoke functions). */
async function whenIdle(runtime: PipelineRuntime, emulators: Emulators): Promise<void> {
  while (runtime.inflight.size > 0 || runtime.jobChains.size > 0) {
    await Promise.all([...runtime.inflight, emulators.mediaConvert.idle(), emulators.rekognition.idle()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the emulators and subscribes the Lambdas to local events. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const runtime: PipelineRuntime = {
    print: options.log ?? ((line: string) => console.log(line)),
    retryDelays: options.retryDelaysMs ?? [2000, 5000],
    stopped: false,
    inflight: new Set(),
    jobChains: new Map(),
  };
  const emulatorS3 = localS3Client(options.s3.endpoint);
  const emulators = createEmulators(runtime, options, emulatorS3);
  const server = await startEmulatorServer(
    [emulators.mediaConvert.router, emulators.rekognition.router],
    options.emulatorPort ?? Number(new URL(options.endpoints.emulators).port),
    "AWS emulators, EMULATOR_PORT",
  );
  let lambdas: LocalLambdas;
  try {
    const defaults = localLambdaDefaults(options.endpoints, server.endpoint);
    lambdas = createLambdas(
      withEnvironment(defaults, options.env ?? process.env, LAMBDA_VARIABLES),
      options.lambdaLog,
      options.webhooks,
    );
    // The buckets the Lambdas listen on are the ones uploads must be able to land in, whatever
    // INPUT_BUCKET(S) names them.
    await ensureBuckets(options.s3.endpoint, lambdas.inputBuckets);
  } catch (error) {
    await server.stop();
    emulatorS3.destroy();
    throw error;
  }
  runtime.lambdas = lambdas;
  subscribeUploads(runtime, options.s3, emulatorS3);
  subscribeRecordings(runtime, options.s3);
  const [ffmpeg, ffprobe, awsCli] = await Promise.all([
    hasTool("ffmpeg"),
    hasTool("ffprobe"),
    hasTool("aws", ["--version"]),
  ]);
  const tools = { ffmpeg: ffmpeg && ffprobe, awsCli };
  return {
    inputBuckets: lambdas.inputBuckets,
    describe: () => describePipeline({ emulators: server.endpoint, s3Endpoint: options.s3.endpoint, lambdas, tools }),
    idle: () => whenIdle(runtime, emulators),
    stop: async () => {
      runtime.stopped = true;
      await server.stop();
      await Promise.all([emulators.mediaConvert.stop(), emulators.rekognition.stop()]);
      const settled = Promise.allSettled([...runtime.inflight]);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      emulatorS3.destroy();
      lambdas.clients.destroy();
    },
  };
}

/**
 * The Lambdas' SDK clients and S3 requests, built like aws-lambdas/shared/clients.ts builds them (same
 * document marshalling, S3 at the same location) but with the credentials of the merged local
 * configuration: the functions share this process with `npm start`, whose process.env stays untouched.
 */
function lambdaClients(
  env: Record<string, string>,
  endpoints: { mediaConvert?: string; rekognition?: string; rekognitionCollect?: string },
) {
  const aws = awsEndpoints(env);
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
  const base = { region: aws.region, credentials };
  const dynamodbClient = new DynamoDBClient({ ...base, ...(aws.dynamodb ? { endpoint: aws.dynamodb } : {}) });
  const dynamodb = DynamoDBDocumentClient.from(dynamodbClient, { marshallOptions: { removeUndefinedValues: true } });
  // The functions' S3 requests (aws-lambdas/shared/s3-objects.ts), one instance for the three that
  // use S3 (in AWS job-state and faces-collect get the put alone, createObjectWriter, to keep their
  // bundles small; here size does not matter).
  const objects = createS3Objects({
    region: aws.region,
    location: s3Location(aws.region, aws.s3),
    credentials: async () => credentials,
  });
  const mediaConvert = new MediaConvertClient({
    ...base,
    ...(endpoints.mediaConvert ? { endpoint: endpoints.mediaConvert } : {}),
  });
  const rekognition = new RekognitionClient({
    ...base,
    ...(endpoints.rekognition ? { endpoint: endpoints.rekognition } : {}),
  });
  const rekognitionCollect =
    endpoints.rekognitionCollect === endpoints.rekognition
      ? rekognition
      : new RekognitionClient({
          ...base,
          ...(endpoints.rekognitionCollect ? { endpoint: endpoints.rekognitionCollect } : {}),
        });
  return {
    dynamodb,
    objects,
    mediaConvert,
    rekognition,
    rekognitionCollect,
    destroy: () => {
      dynamodb.destroy();
      dynamodbClient.destroy();
      mediaConvert.destroy();
      rekognition.destroy();
      rekognitionCollect.destroy();
    },
  };
}

function describeJobEvent(event: MediaConvertStateChangeEvent): string {
  const detail = event.detail;
  const progress = (detail.jobProgress as { jobPercentComplete?: number } | undefined)?.jobPercentComplete;
  return `MediaConvert ${detail.status}${progress !== undefined ? ` ${progress}%` : ""} (job ${detail.jobId})`;
}

function describeNotification(event: SnsLambdaEvent): string {
  try {
    const message = JSON.parse(event.Records[0]!.Sns.Message) as { Status?: string; JobId?: string };
    return `Rekognition ${message.Status} (job ${String(message.JobId).slice(0, 12)}…)`;
  } catch {
    return "Rekognition notification";
  }
}

/** A handler result in one short line (outcomes and ids only; results never hold key material). */
function summarise(result: unknown): string {
  const entries = (result as { results?: unknown[] } | null)?.results ?? [result];
  return entries
    .map((entry) => {
      const r = (entry ?? {}) as Record<string, unknown>;
      const parts = [r.outcome ?? "ok"];
      if (r.jobId) parts.push(`job ${String(r.jobId).length > 40 ? `${String(r.jobId).slice(0, 12)}…` : r.jobId}`);
      if (r.reason) parts.push(`(${String(r.reason)})`);
      if (typeof r.faceCount === "number") parts.push(`${r.faceCount} faces`);
      return parts.join(" ");
    })
    .join("; ");
}
