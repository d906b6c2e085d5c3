/**
 * The local event wiring behind `npm start`: the four Lambdas run in this process, triggered the way
 * AWS triggers them, with local emulators for the two AWS APIs that have no local equivalent.
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
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { readFacesCollectConfig } from "../aws-lambdas/faces-collect/config.ts";
import { createFacesCollectHandler } from "../aws-lambdas/faces-collect/faces-collect.ts";
import { readFacesStartConfig } from "../aws-lambdas/faces-start/config.ts";
import { createFacesStartHandler } from "../aws-lambdas/faces-start/faces-start.ts";
import { readJobStateConfig } from "../aws-lambdas/job-state/config.ts";
import { createJobStateHandler } from "../aws-lambdas/job-state/job-state.ts";
import { awsEndpoints } from "../aws-lambdas/shared/config.ts";
import { createLogger, type Log } from "../aws-lambdas/shared/logger.ts";
import type { WebhookSender } from "../aws-lambdas/shared/webhooks.ts";
import { encodeS3EventKey, isObjectCreated } from "../aws-lambdas/shared/s3-events.ts";
import { readSubmitJobConfig } from "../aws-lambdas/submit-job/config.ts";
import { createSubmitJobHandler } from "../aws-lambdas/submit-job/submit-job.ts";
import { DEFAULT_BUCKETS } from "../model/index.ts";
import { ensureBuckets, localS3Client, type LocalS3Server, type S3ServerEvent } from "./aws.ts";
import { LAMBDA_VARIABLES, localLambdaDefaults, withEnvironment, type LocalEndpoints } from "./defaults.ts";
import { startEmulatorServer } from "./emulators/http.ts";
import { hasTool } from "./emulators/media-tools.ts";
import { createMediaConvertEmulator, type MediaConvertStateChangeEvent } from "./emulators/mediaconvert.ts";
import { createRekognitionEmulator, type SnsLambdaEvent } from "./emulators/rekognition.ts";

export interface LocalPipeline {
  stop(): Promise<void>;
  /** Lines for the start-up summary. */
  describe(): string;
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

/** Starts the emulators and subscribes the Lambdas to local events. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const print = options.log ?? ((line: string) => console.log(line));
  const retryDelays = options.retryDelaysMs ?? [2000, 5000];
  const sourceEnv = options.env ?? process.env;
  const inflight = new Set<Promise<unknown>>();
  let stopped = false;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inflight.add(promise);
    void promise.finally(() => inflight.delete(promise)).catch(() => undefined);
    return promise;
  };

  // The emulators' own S3 access is the S3 server itself (MediaConvert and Rekognition read the
  // input and write the output with their IAM roles, not with the Lambdas' credentials).
  const emulatorS3 = localS3Client(options.s3.endpoint);
  const handlers: Partial<Record<"jobState" | "facesCollect", Handler>> = {};
  const jobChains = new Map<string, Promise<void>>();

  const mediaConvert = createMediaConvertEmulator({
    s3: emulatorS3,
    log: print,
    ...(options.emulators?.segmentSeconds ? { segmentSeconds: options.emulators.segmentSeconds } : {}),
    ...(options.emulators?.startDelayMs !== undefined ? { startDelayMs: options.emulators.startDelayMs } : {}),
    ...(options.emulators?.statusUpdateMs ? { statusUpdateMs: options.emulators.statusUpdateMs } : {}),
    // EventBridge rule "MediaConvert Job State Change" -> job-state. One job's events are handed over
    // in order here (EventBridge does not promise that; job-state copes either way).
    onEvent: (event: MediaConvertStateChangeEvent) => {
      const jobId = event.detail.jobId;
      const previous = jobChains.get(jobId) ?? Promise.resolve();
      const next = previous.then(() => invoke("job-state", handlers.jobState!, event, describeJobEvent(event)));
      jobChains.set(jobId, next);
      track(next).finally(() => {
        if (jobChains.get(jobId) === next) jobChains.delete(jobId);
      });
    },
  });
  const rekognition = createRekognitionEmulator({
    s3: emulatorS3,
    log: print,
    ...(options.emulators?.processingDelayMs !== undefined
      ? { processingDelayMs: options.emulators.processingDelayMs }
      : {}),
    // SNS topic subscription -> faces-collect.
    publish: (event: SnsLambdaEvent) =>
      track(invoke("faces-collect", handlers.facesCollect!, event, describeNotification(event))),
  });

  const emulatorPort = options.emulatorPort ?? Number(new URL(options.endpoints.emulators).port);
  const server = await startEmulatorServer(
    [mediaConvert.router, rekognition.router],
    emulatorPort,
    "AWS emulators, EMULATOR_PORT",
  );

  let env: Record<string, string>;
  let clients: ReturnType<typeof lambdaClients>;
  let uploadHandlers: Array<{ name: string; handler: Handler }>;
  let inputBuckets: string[];
  try {
    env = withEnvironment(localLambdaDefaults(options.endpoints, server.endpoint), sourceEnv, LAMBDA_VARIABLES);
    const submitConfig = readSubmitJobConfig(env);
    const facesStartConfig = readFacesStartConfig(env);
    const jobStateConfig = readJobStateConfig(env);
    const facesCollectConfig = readFacesCollectConfig(env);
    clients = lambdaClients(env, {
      mediaConvert: submitConfig.mediaConvert.endpoint,
      rekognition: facesStartConfig.rekognition.endpoint,
      rekognitionCollect: facesCollectConfig.rekognitionEndpoint,
    });
    const logFor =
      options.lambdaLog ??
      ((name: string) =>
        createLogger(
          name,
          new Logger({ serviceName: name, logLevel: (env.POWERTOOLS_LOG_LEVEL || "WARN") as "WARN" }),
        ));
    uploadHandlers = [
      {
        name: "submit-job",
        handler: createSubmitJobHandler({
          config: submitConfig,
          clients: { dynamodb: clients.dynamodb, mediaConvert: clients.mediaConvert },
          log: logFor("submit-job"),
        }) as Handler,
      },
      {
        name: "faces-start",
        handler: createFacesStartHandler({
          config: facesStartConfig,
          clients: { dynamodb: clients.dynamodb, rekognition: clients.rekognition },
          log: logFor("faces-start"),
        }) as Handler,
      },
    ];
    handlers.jobState = createJobStateHandler({
      config: jobStateConfig,
      clients: { dynamodb: clients.dynamodb, s3: clients.s3 },
      log: logFor("job-state"),
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    }) as Handler;
    handlers.facesCollect = createFacesCollectHandler({
      config: facesCollectConfig,
      clients: { dynamodb: clients.dynamodb, s3: clients.s3, rekognition: clients.rekognitionCollect },
      log: logFor("faces-collect"),
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    }) as Handler;
    inputBuckets = submitConfig.inputBuckets.length > 0 ? submitConfig.inputBuckets : [DEFAULT_BUCKETS.input];
    // The buckets the Lambdas listen on are the ones uploads must be able to land in, whatever
    // INPUT_BUCKET(S) names them.
    await ensureBuckets(options.s3.endpoint, inputBuckets);
  } catch (error) {
    await server.stop();
    emulatorS3.destroy();
    throw error;
  }

  const region = env.AWS_REGION || "us-east-1";
  const nextSequencer = sequencerSource();

  async function invoke(name: string, handler: Handler, event: unknown, what: string): Promise<void> {
    const attempts = [0, ...retryDelays];
    for (const [attempt, delay] of attempts.entries()) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopped) return;
      const deadline = Date.now() + LOCAL_TIMEOUT_MS;
      try {
        const result = await handler(event, {
          functionName: `local-${name}`,
          awsRequestId: randomUUID(),
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        });
        print(`  ${name} <- ${what}: ${summarise(result)}`);
        return;
      } catch (error) {
        const retry = attempt + 1 < attempts.length;
        print(
          `  ${name} <- ${what}: ${(error as Error).name}: ${(error as Error).message}` +
            (retry
              ? ` (retrying in ${attempts[attempt + 1]} ms)`
              : " (giving up: in AWS the event goes to the dead-letter queue)"),
        );
      }
    }
  }

  /** s3rver event -> one S3 notification per object -> both upload functions. */
  async function onUpload(record: S3ServerEvent["Records"][number]): Promise<void> {
    const bucket = record.s3.bucket.name;
    const key = record.s3.object.key;
    let facts: { eTag?: string; size?: number } = {};
    if (!record.s3.object.eTag) {
      // s3rver's Copy events carry no ETag; S3's do, and the upload functions key idempotency on it.
      const head = await emulatorS3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      facts = {
        ...(head.ETag ? { eTag: head.ETag } : {}),
        ...(head.ContentLength !== undefined ? { size: head.ContentLength } : {}),
      };
    }
    const notification = { Records: [s3NotificationRecord(record, { ...facts, sequencer: nextSequencer(), region })] };
    const eventName = (notification.Records[0] as { eventName: string }).eventName;
    print(`Upload s3://${bucket}/${key} (${eventName})`);
    await Promise.all(
      uploadHandlers.map(({ name, handler }) => invoke(name, handler, notification, `s3://${bucket}/${key}`)),
    );
  }

  options.s3.onEvent((event) => {
    if (stopped) return;
    for (const record of event.Records ?? []) {
      // Production's EventBridge rules match "Object Created" on the input bucket(s) only.
      if (!inputBuckets.includes(record.s3?.bucket?.name) || !isObjectCreated(record.eventName ?? "")) continue;
      track(
        onUpload(record).catch((error: Error) =>
          print(`Upload event for s3://${record.s3.bucket.name}/${record.s3.object.key} not handled: ${error.message}`),
        ),
      );
    }
  });

  const [ffmpeg, ffprobe] = await Promise.all([hasTool("ffmpeg"), hasTool("ffprobe")]);
  const awsCli = await hasTool("aws", ["--version"]);
  const mediaConvertUrl = env.MEDIACONVERT_ENDPOINT_URL;
  const rekognitionUrl = env.REKOGNITION_ENDPOINT_URL;

  return {
    describe: () => {
      const input = inputBuckets[0]!;
      const lines = [
        `  AWS emulators           ${server.endpoint}   MediaConvert (ffmpeg) and Rekognition (synthetic faces)`,
        `  Lambdas (in process)    submit-job + faces-start <- uploads to s3://${inputBuckets.join(", s3://")}/`,
        "                          job-state <- MediaConvert events, faces-collect <- Rekognition notifications",
      ];
      if (mediaConvertUrl && mediaConvertUrl !== server.endpoint) {
        lines.push(`                          MediaConvert at ${mediaConvertUrl} (MEDIACONVERT_ENDPOINT_URL)`);
      }
      if (rekognitionUrl && rekognitionUrl !== server.endpoint) {
        lines.push(`                          Rekognition at ${rekognitionUrl} (REKOGNITION_ENDPOINT_URL)`);
      }
      if (!ffmpeg || !ffprobe) {
        lines.push(
          "  WARNING                 ffmpeg/ffprobe not found: jobs will end in ERROR (apt-get install -y ffmpeg / brew install ffmpeg)",
        );
      }
      lines.push(
        `  Try it                  upload a video to s3://${input}/ to start a job:`,
        "                            npm run upload -- path/to/video.mp4",
      );
      if (awsCli) {
        lines.push(
          `                            AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --region ${region} --endpoint-url ${options.s3.endpoint} s3 cp video.mp4 s3://${input}/`,
        );
      }
      return lines.join("\n");
    },
    idle: async () => {
      // Events beget events (an upload starts jobs whose events invoke functions): wait until quiet.
      while (inflight.size > 0 || jobChains.size > 0) {
        await Promise.all([...inflight, mediaConvert.idle(), rekognition.idle()]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      stopped = true;
      await server.stop();
      await Promise.all([mediaConvert.stop(), rekognition.stop()]);
      await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      emulatorS3.destroy();
      clients.destroy();
    },
  };
}

/**
 * The Lambdas' SDK clients, built like aws-lambdas/shared/clients.ts builds them (same document
 * marshalling, path-style S3 without default checksums) but with the credentials of the merged local
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
  const s3 = new S3Client({
    ...base,
    ...(aws.s3
      ? {
          endpoint: aws.s3,
          forcePathStyle: true,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }
      : {}),
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
    s3,
    mediaConvert,
    rekognition,
    rekognitionCollect,
    destroy: () => {
      dynamodb.destroy();
      dynamodbClient.destroy();
      s3.destroy();
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
