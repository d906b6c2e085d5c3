/**
 * A local AWS Elemental MediaConvert for `npm start` and the end-to-end tests: the REST-JSON API the
 * AWS SDK v3 client calls, backed by ffmpeg.
 *
 * API (https://docs.aws.amazon.com/mediaconvert/latest/apireference/resources.html); JSON keys on the
 * wire are lowerCamelCase (`settings`, `role`, `clientRequestToken`, ...), errors carry their type in
 * the `x-amzn-ErrorType` header and `{"message"}` in the body:
 *   POST   /2017-08-29/jobs        CreateJob  -> 201 {job}
 *   GET    /2017-08-29/jobs/{id}   GetJob     -> 200 {job}
 *   DELETE /2017-08-29/jobs/{id}   CancelJob  -> 202 {}
 *   POST   /2017-08-29/endpoints   DescribeEndpoints -> {endpoints: [{url}]} (the seed looked it up)
 * `clientRequestToken` deduplicates CreateJob for one minute, as in AWS
 * (https://docs.aws.amazon.com/mediaconvert/latest/apireference/idempotency.html).
 *
 * A job really transcodes: the input is read from the local S3 server (`settings.inputs[0].fileInput`),
 * ffmpeg encodes the ABR ladder (model/ladder.ts, or `options.ladder`) into the HLS output group's destination, each
 * rendition at the size MediaConvert's FIT_NO_UPSCALE gives the input (fitWithoutUpscale, model/ladder.ts), laid out as
 * MediaConvert lays it out (master `<name>.m3u8`, renditions `<name><modifier>.m3u8`, segments
 * `<name><modifier>_00001.ts`, EXT-X-MEDIA-SEQUENCE starting at 1), AES-128 encrypted with the
 * request's StaticKeyValue when the group asks for it. The key is never written to S3 or logged: the
 * playlists name the request's StaticKeyProvider `url`, exactly as MediaConvert does. The job template
 * is accepted by name but not resolved (there are no templates locally): the shared ladder the CDK
 * template is built from stands in for it, so a ladder change shows under `npm start`.
 *
 * A second output group of type FILE_GROUP_SETTINGS (what submit-job sends for frame captures) gets
 * the ladder's JPEG captures from the same ffmpeg run, named and reported as MediaConvert does
 * (frame-captures.ts); without one the job makes none.
 *
 * IVs follow MediaConvert: without ConstantInitializationVector "IV will follow the segment number"
 * (the media sequence number, RFC 8216 §5.2); InitializationVectorInManifest INCLUDE writes that IV
 * as an explicit `IV=` attribute (one EXT-X-KEY per segment), EXCLUDE writes none so players derive it.
 * https://docs.aws.amazon.com/mediaconvert/latest/apireference/jobs.html#jobs-model-hlsencryptionsettings
 *
 * Events go to `onEvent` in the documented EventBridge envelope ("MediaConvert Job State Change"):
 * PROGRESSING, INPUT_INFORMATION, STATUS_UPDATE (at least two: transcoding and uploading, more while
 * ffmpeg runs), then COMPLETE with outputGroupDetails, or ERROR (1010 when the input cannot be read,
 * 1999 when ffmpeg is missing or fails), or CANCELED.
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_event_list.html
 * https://docs.aws.amazon.com/mediaconvert/latest/ug/mediaconvert_error_codes.html
 */
import { createCipheriv, randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { setTimeout as delay } from "node:timers/promises";
import type { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { readBody, sendJson, serveEmulator, type EmulatorServer, type Router } from "./http.ts";
import { HLS_LADDER, fitWithoutUpscale, type AbrLadder, type FrameSize, type Rendition } from "../../model/ladder.ts";
import { captureFfmpegArgs, uploadCaptures, type CaptureDestination } from "./frame-captures.ts";
import { ProbeError, hasTool, probe, runFfmpeg, type ProbeResult } from "./media-tools.ts";

/** The EventBridge envelope of a MediaConvert job state change. */
export interface MediaConvertStateChangeEvent {
  version: "0";
  id: string;
  "detail-type": "MediaConvert Job State Change";
  source: "aws.mediaconvert";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & { timestamp: number; jobId: string; status: string; queue: string };
}

export interface MediaConvertEmulatorOptions {
  /** Client of the S3 server inputs are read from and outputs written to. */
  s3: S3Client;
  /** EventBridge stand-in: receives every job state change (not awaited, like an async target). */
  onEvent: (event: MediaConvertStateChangeEvent) => unknown;
  region?: string;
  accountId?: string;
  ffmpeg?: string;
  ffprobe?: string;
  /** HLS segment length when the request has no `segmentLength` (MediaConvert's default is 10 s). */
  segmentSeconds?: number;
  /** Time a job stays SUBMITTED before it starts (real jobs start after a few seconds). */
  startDelayMs?: number;
  /** Least time between two STATUS_UPDATE events while ffmpeg runs (AWS: 10 s at best). */
  statusUpdateMs?: number;
  /** Jobs transcoding at once; the rest wait SUBMITTED, like a queue. */
  concurrency?: number;
  /** How long a clientRequestToken returns the same job (AWS: one minute). */
  idempotencyWindowMs?: number;
  /** The renditions the job template would give (default: the shared ladder, model/ladder.ts). */
  ladder?: AbrLadder;
  /** One-line progress messages (never the key). */
  log?: (message: string) => void;
}

type JobStatus = "SUBMITTED" | "PROGRESSING" | "COMPLETE" | "ERROR" | "CANCELED";

interface Job {
  id: string;
  arn: string;
  queue: string;
  status: JobStatus;
  /** The request as it came over the wire (lowerCamelCase); returned by GetJob like AWS does. */
  request: Record<string, unknown>;
  userMetadata: Record<string, string>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  percent?: number;
  phase?: "PROBING" | "TRANSCODING" | "UPLOADING";
  errorCode?: number;
  errorMessage?: string;
  outputDetails?: Array<{ durationInMs: number; videoDetails: { widthInPx: number; heightInPx: number } }>;
  abort: AbortController;
}

/** A CreateJob request we can run, extracted from the wire body. */
interface JobPlan {
  input: { bucket: string; key: string; url: string };
  output: { bucket: string; prefix: string; baseName?: string };
  segmentSeconds: number;
  encryption?: { key: Buffer; url: string; includeIv: boolean; constantIv?: Buffer };
  /** The File group's destination, when the request has one (frame captures). */
  captures?: CaptureDestination;
}

/** A request error, answered in the REST-JSON error shape. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a running emulator offers besides its router. */
export interface MediaConvertEmulator {
  router: Router;
  /** Resolves when no job is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  /** Cancels running jobs (ffmpeg is killed) and waits for them to end. */
  stop(): Promise<void>;
}

const API_PREFIX = "/2017-08-29/";
const AES_KEY_HEX = /^[0-9a-fA-F]{32}$/;

/** `s3://bucket/key` -> bucket and key (the key as written: MediaConvert takes it unencoded). */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/** Python's `os.path.splitext(basename)[0]`: MediaConvert names outputs after the input file. */
export function inputBaseName(key: string): string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? name : name.slice(0, dot);
}

/** The media sequence number as a 16-byte big-endian IV (RFC 8216 §5.2). */
export function sequenceIv(sequence: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

/** One emulator's state and settings, passed to the module-level functions below. */
interface Emulator {
  options: MediaConvertEmulatorOptions;
  region: string;
  account: string;
  ladder: AbrLadder;
  log: (message: string) => void;
  jobs: Map<string, Job>;
  tokens: Map<string, { jobId: string; at: number }>;
  running: Set<Promise<void>>;
  /** Jobs transcoding now, and the ones waiting for a slot. */
  slots: { active: number; waiting: Array<() => void> };
}

/** Builds the emulator; mount `router` on a server (or use `startMediaConvertEmulator`). */
export function createMediaConvertEmulator(options: MediaConvertEmulatorOptions): MediaConvertEmulator {
  const emulator: Emulator = {
    options,
    region: options.region ?? "us-east-1",
    account: options.accountId ?? "000000000000",
    ladder: options.ladder ?? HLS_LADDER,
    log: options.log ?? (() => undefined),
    jobs: new Map(),
    tokens: new Map(),
    running: new Set(),
    slots: { active: 0, waiting: [] },
  };
  const settle = async () => {
    while (emulator.running.size > 0) await Promise.all([...emulator.running]);
  };
  return {
    router: (request, response) => route(emulator, request, response),
    idle: settle,
    stop: async () => {
      for (const job of emulator.jobs.values())
        if (job.status === "SUBMITTED" || job.status === "PROGRESSING") job.abort.abort();
      await settle();
    },
  };
}

function queueArn(emulator: Emulator, queue: unknown): string {
  if (typeof queue === "string" && queue.startsWith("arn:")) return queue;
  const name = typeof queue === "string" && queue ? queue : "Default";
  return `arn:aws:mediaconvert:${emulator.region}:${emulator.account}:queues/${name}`;
}

function emit(emulator: Emulator, job: Job, status: string, extra: Record<string, unknown> = {}): void {
  const now = Date.now();
  const { account, region } = emulator;
  const event: MediaConvertStateChangeEvent = {
    version: "0",
    id: randomUUID(),
    "detail-type": "MediaConvert Job State Change",
    source: "aws.mediaconvert",
    account,
    // EventBridge `time` has second precision; `detail.timestamp` is in ms.
    time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [job.arn],
    detail: {
      timestamp: now,
      accountId: account,
      queue: job.queue,
      jobId: job.id,
      status,
      userMetadata: job.userMetadata,
      ...extra,
    },
  };
  void Promise.resolve()
    .then(() => emulator.options.onEvent(event))
    .catch((error: Error) =>
      emulator.log(`MediaConvert event ${status} for job ${job.id} was not delivered: ${error.message}`),
    );
}

function statusUpdate(emulator: Emulator, job: Job, framesDecoded?: number): void {
  const phases = ["PROBING", "TRANSCODING", "UPLOADING"] as const;
  const current = phases.indexOf(job.phase ?? "PROBING");
  const phaseProgress = Object.fromEntries(
    phases.map((phase, index) => [
      phase,
      index < current
        ? { status: "COMPLETE", percentComplete: 100 }
        : index === current
          ? { status: "PROGRESSING", percentComplete: phasePercent(job) }
          : { status: "PENDING", percentComplete: 0 },
    ]),
  );
  emit(emulator, job, "STATUS_UPDATE", {
    ...(framesDecoded !== undefined ? { framesDecoded } : {}),
    jobProgress: {
      phaseProgress,
      jobPercentComplete: job.percent ?? 0,
      currentPhase: job.phase ?? "PROBING",
      retryCount: 0,
    },
  });
}

// jobPercentComplete weights: probing 0-5, transcoding 5-90, uploading 90-100.
function phasePercent(job: Job): number {
  const percent = job.percent ?? 0;
  if (job.phase === "TRANSCODING") return Math.round(((percent - 5) / 85) * 100);
  if (job.phase === "UPLOADING") return Math.round(((percent - 90) / 10) * 100);
  return Math.round((percent / 5) * 100);
}

function fail(emulator: Emulator, job: Job, code: number, message: string): void {
  if (job.status === "CANCELED") return;
  job.status = "ERROR";
  job.errorCode = code;
  job.errorMessage = message;
  job.finishedAt = Date.now();
  emulator.log(`MediaConvert job ${job.id}: ERROR ${code}`);
  emit(emulator, job, "ERROR", { errorCode: code, errorMessage: message });
}

async function acquireSlot({ options, slots }: Emulator): Promise<void> {
  if (slots.active < (options.concurrency ?? 1)) {
    slots.active++;
    return;
  }
  await new Promise<void>((resolve) => slots.waiting.push(resolve));
}

function releaseSlot({ slots }: Emulator): void {
  const next = slots.waiting.shift();
  if (next) next();
  else slots.active--;
}

async function runJob(emulator: Emulator, job: Job, plan: JobPlan): Promise<void> {
  // A cancelled job stops waiting at once.
  const startDelay = emulator.options.startDelayMs ?? 500;
  await delay(startDelay, undefined, { signal: job.abort.signal }).catch(() => undefined);
  if (job.status !== "SUBMITTED") return;
  await acquireSlot(emulator);
  let work: string | undefined;
  try {
    if (job.status !== "SUBMITTED") return;
    job.status = "PROGRESSING";
    job.startedAt = Date.now();
    job.phase = "PROBING";
    job.percent = 0;
    emulator.log(`MediaConvert job ${job.id}: PROGRESSING (${plan.input.url})`);
    emit(emulator, job, "PROGRESSING");
    if (!(await checkTools(emulator, job, plan))) return;
    work = await mkdtemp(join(tmpdir(), "media-edge-mediaconvert-"));
    const source = join(work, "input");
    const info = await fetchAndProbe(emulator, job, plan, source);
    if (!info) return;
    if (!(await transcode(emulator, job, plan, { source, work, info }))) return;
    await upload(emulator, job, plan, work, info);
  } catch (error) {
    if (!job.abort.signal.aborted) {
      fail(emulator, job, 1999, `The local MediaConvert emulator failed: ${(error as Error).message}`);
    }
  } finally {
    releaseSlot(emulator);
    if (work) await rm(work, { recursive: true, force: true });
  }
}

/** False (and the job failed) when ffmpeg or ffprobe is missing. */
async function checkTools(emulator: Emulator, job: Job, plan: JobPlan): Promise<boolean> {
  const { options } = emulator;
  const [ffmpeg, ffprobe] = await Promise.all([
    hasTool(options.ffmpeg ?? "ffmpeg"),
    hasTool(options.ffprobe ?? "ffprobe"),
  ]);
  if (ffmpeg && ffprobe) return true;
  fail(
    emulator,
    job,
    1999,
    `Unable to transcode input file [${plan.input.url}]: the local MediaConvert emulator needs ffmpeg and ` +
      "ffprobe on PATH (Debian/Ubuntu: apt-get install -y ffmpeg; macOS: brew install ffmpeg).",
  );
  return false;
}

/** Downloads and probes the input; undefined (and the job failed, unless cancelled) when it cannot. */
async function fetchAndProbe(
  emulator: Emulator,
  job: Job,
  plan: JobPlan,
  source: string,
): Promise<ProbeResult | undefined> {
  let info: ProbeResult;
  try {
    const get = new GetObjectCommand({ Bucket: plan.input.bucket, Key: plan.input.key });
    const object = await emulator.options.s3.send(get, { abortSignal: job.abort.signal });
    await pipeline(object.Body as Readable, createWriteStream(source), { signal: job.abort.signal });
    info = await probe(source, emulator.options.ffprobe);
  } catch (error) {
    if (job.abort.signal.aborted) return undefined;
    const reason =
      error instanceof ProbeError
        ? error.message
        : (error as { name?: string }).name === "NoSuchKey"
          ? "The specified key does not exist."
          : (error as Error).message;
    // The documented 1010 message shape: "Unable to open input file [s3://...]: [Failed probe/open: [...]]".
    fail(emulator, job, 1010, `Unable to open input file [${plan.input.url}]: [Failed probe/open: [${reason}]]`);
    return undefined;
  }
  const video = info.video!;
  emit(emulator, job, "INPUT_INFORMATION", {
    inputDetails: [
      {
        id: 1,
        uri: plan.input.url,
        video: [{ width: video.width, height: video.height, codec: video.codec.toUpperCase() }],
      },
    ],
  });
  return info;
}

/** Encodes the ladder with ffmpeg into `work`; false (and the job failed, unless cancelled) on failure. */
async function transcode(
  emulator: Emulator,
  job: Job,
  plan: JobPlan,
  files: { source: string; work: string; info: ProbeResult },
): Promise<boolean> {
  const { options } = emulator;
  const { info } = files;
  job.phase = "TRANSCODING";
  job.percent = 5;
  statusUpdate(emulator, job, 0);
  let lastUpdate = Date.now();
  let lastSent = job.percent;
  const fps = info.video!.frameRate || 25;
  const args = ffmpegArgs(files.source, files.work, emulator.ladder, plan.segmentSeconds, {
    audio: Boolean(info.audio),
    video: info.video!,
  });
  const captures = emulator.ladder.frameCaptures;
  if (plan.captures && captures) args.push(...captureFfmpegArgs(files.work, captures, info.video!));
  try {
    await runFfmpeg(args, {
      ffmpeg: options.ffmpeg,
      signal: job.abort.signal,
      onProgress: (encodedMs) => {
        job.percent = Math.min(89, 5 + Math.floor((85 * encodedMs) / info.durationMs));
        if (job.percent !== lastSent && Date.now() - lastUpdate >= (options.statusUpdateMs ?? 1000)) {
          lastUpdate = Date.now();
          lastSent = job.percent;
          statusUpdate(emulator, job, Math.round((encodedMs / 1000) * fps));
        }
      },
    });
    return true;
  } catch (error) {
    if (!job.abort.signal.aborted) {
      fail(emulator, job, 1999, `Transcoding failed for input file [${plan.input.url}]: ${(error as Error).message}`);
    }
    return false;
  }
}

/** Writes the outputs to S3 and completes the job. */
async function upload(emulator: Emulator, job: Job, plan: JobPlan, work: string, info: ProbeResult): Promise<void> {
  const fps = info.video!.frameRate || 25;
  job.phase = "UPLOADING";
  job.percent = 90;
  statusUpdate(emulator, job, Math.round((info.durationMs / 1000) * fps));
  // Captures before the HLS output, whose master is written last of all.
  const captureGroup = await writeCaptures(emulator, job, plan, { work, info });
  const written = await writeOutputs(emulator, job, plan, { work, info });
  if (job.abort.signal.aborted) return;
  job.status = "COMPLETE";
  job.percent = 100;
  job.finishedAt = Date.now();
  job.outputDetails = written.outputDetails.map(({ durationInMs, videoDetails }) => ({
    durationInMs,
    videoDetails: { widthInPx: videoDetails.widthInPx, heightInPx: videoDetails.heightInPx },
  }));
  emulator.log(`MediaConvert job ${job.id}: COMPLETE (${written.master})`);
  emit(emulator, job, "COMPLETE", {
    outputGroupDetails: [
      { type: "HLS_GROUP", playlistFilePaths: [written.master], outputDetails: written.outputDetails },
      ...(captureGroup ? [captureGroup] : []),
    ],
    paddingInserted: 0,
    blackVideoDetected: 0,
    blackSegments: [],
  });
}

/** Uploads the frame captures when the job asked for them; the COMPLETE event's FILE_GROUP entry. */
function writeCaptures(
  emulator: Emulator,
  job: Job,
  plan: JobPlan,
  { work, info }: { work: string; info: ProbeResult },
) {
  const settings = emulator.ladder.frameCaptures;
  if (!plan.captures || !settings) return Promise.resolve(undefined);
  const destination = plan.captures;
  return uploadCaptures({
    work,
    settings,
    input: { ...info.video!, durationMs: info.durationMs },
    destination,
    baseName: destination.baseName ?? inputBaseName(plan.input.key),
    put: (key, body, contentType) =>
      emulator.options.s3.send(
        new PutObjectCommand({ Bucket: destination.bucket, Key: key, Body: body, ContentType: contentType }),
        { abortSignal: job.abort.signal },
      ),
  });
}

interface OutputDetail {
  outputFilePaths: string[];
  durationInMs: number;
  videoDetails: { widthInPx: number; heightInPx: number; averageBitrate: number };
}

/** Puts one object of the job's output (aborted with the job). */
type PutOutput = (key: string, body: Buffer | string, contentType: string) => Promise<unknown>;

/** What writing one rendition needs besides the rendition itself. */
interface RenditionContext {
  job: Job;
  plan: JobPlan;
  work: string;
  info: ProbeResult;
  put: PutOutput;
  base: string;
  progress: { done: number; all: number };
}

async function writeOutputs(
  emulator: Emulator,
  job: Job,
  plan: JobPlan,
  { work, info }: { work: string; info: ProbeResult },
): Promise<{ master: string; outputDetails: OutputDetail[] }> {
  const folder = plan.output.prefix;
  const put: PutOutput = (key, body, contentType) =>
    emulator.options.s3.send(
      new PutObjectCommand({ Bucket: plan.output.bucket, Key: key, Body: body, ContentType: contentType }),
      { abortSignal: job.abort.signal },
    );
  const renditions = emulator.ladder.renditions;
  const parsed = await Promise.all(
    renditions.map(async (_, index) => parseFfmpegPlaylist(await readFile(join(work, `r${index}.m3u8`), "utf8"))),
  );
  const progress = { done: 0, all: parsed.reduce((sum, segments) => sum + segments.length, 0) };
  const base = plan.output.baseName ?? inputBaseName(plan.input.key);
  const context: RenditionContext = { job, plan, work, info, put, base, progress };
  const variants: string[] = [];
  const outputDetails: OutputDetail[] = [];
  const sizes = renditionSizes(emulator.ladder, info.video!);
  for (const [index, rendition] of renditions.entries()) {
    const written = await writeRendition(context, { ...rendition, size: sizes[index]! }, parsed[index]!);
    variants.push(...written.variant);
    outputDetails.push(written.detail);
  }
  // The master last: when it exists, everything it lists exists.
  const master = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS", ...variants, ""].join("\n");
  await put(`${folder}${base}.m3u8`, master, "application/vnd.apple.mpegurl");
  return { master: `s3://${plan.output.bucket}/${folder}${base}.m3u8`, outputDetails };
}

/**
 * Encrypts and uploads one rendition's segments and playlist; returns its master lines and details,
 * which give the size the rendition was encoded at (`size`), not its rung's.
 */
async function writeRendition(
  context: RenditionContext,
  rendition: Rendition & { size: FrameSize },
  segments: Array<{ file: string; duration: number }>,
): Promise<{ variant: string[]; detail: OutputDetail }> {
  const { job, plan, work, info, put, progress } = context;
  const folder = plan.output.prefix;
  const name = `${context.base}${rendition.nameModifier}`;
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3"];
  // LEGACY target duration compatibility: EXTINF rounded up (aws-facts §5).
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.duration)));
  lines.push(`#EXT-X-TARGETDURATION:${target}`, "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD");
  let bytes = 0;
  let peak = 0;
  for (const [position, segment] of segments.entries()) {
    const sequence = position + 1;
    const body = encryptSegment(await readFile(join(work, segment.file)), plan.encryption, sequence, lines);
    const file = `${name}_${String(sequence).padStart(5, "0")}.ts`;
    await put(folder + file, body, "video/MP2T");
    bytes += body.length;
    peak = Math.max(peak, (body.length * 8) / Math.max(segment.duration, 0.001));
    lines.push(`#EXTINF:${segment.duration.toFixed(3)},`, file);
    progress.done++;
    job.percent = 90 + Math.floor((9 * progress.done) / Math.max(1, progress.all));
  }
  lines.push("#EXT-X-ENDLIST", "");
  await put(`${folder}${name}.m3u8`, lines.join("\n"), "application/vnd.apple.mpegurl");
  const durationMs = Math.round(segments.reduce((sum, s) => sum + s.duration, 0) * 1000);
  const average = Math.round((bytes * 8) / Math.max(durationMs / 1000, 0.001));
  const codecs = info.audio ? "avc1.4d401f,mp4a.40.2" : "avc1.4d401f";
  const variant = [
    `#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(peak)},AVERAGE-BANDWIDTH=${average},CODECS="${codecs}",` +
      `RESOLUTION=${rendition.size.width}x${rendition.size.height},FRAME-RATE=${(info.video!.frameRate || 25).toFixed(3)}`,
    `${name}.m3u8`,
  ];
  const detail: OutputDetail = {
    outputFilePaths: [`s3://${plan.output.bucket}/${folder}${name}.m3u8`],
    durationInMs: durationMs,
    videoDetails: { widthInPx: rendition.size.width, heightInPx: rendition.size.height, averageBitrate: average },
  };
  return { variant, detail };
}

/**
 * The segment as uploaded: AES-128-CBC encrypted when the group asks for it, with its EXT-X-KEY line
 * appended to `lines` (one per segment with INCLUDE, one before the first segment otherwise).
 */
function encryptSegment(clear: Buffer, encryption: JobPlan["encryption"], sequence: number, lines: string[]): Buffer {
  if (!encryption) return clear;
  const iv = encryption.constantIv ?? sequenceIv(sequence);
  const cipher = createCipheriv("aes-128-cbc", encryption.key, iv);
  if (encryption.includeIv) {
    lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${encryption.url}",IV=0x${iv.toString("hex")}`);
  } else if (sequence === 1) {
    lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${encryption.url}"`);
  }
  return Buffer.concat([cipher.update(clear), cipher.final()]);
}

function wireJob(job: Job): Record<string, unknown> {
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
  const { clientRequestToken: _token, ...request } = job.request;
  return {
    ...request,
    id: job.id,
    arn: job.arn,
    queue: job.queue,
    status: job.status,
    userMetadata: job.userMetadata,
    createdAt: seconds(job.createdAt),
    accelerationStatus: "NOT_APPLICABLE",
    billingTagsSource: "JOB",
    priority: 0,
    retryCount: 0,
    timing: {
      submitTime: seconds(job.createdAt),
      ...(job.startedAt ? { startTime: seconds(job.startedAt) } : {}),
      ...(job.finishedAt ? { finishTime: seconds(job.finishedAt) } : {}),
    },
    ...(job.status === "PROGRESSING" ? { jobPercentComplete: job.percent ?? 0, currentPhase: job.phase } : {}),
    ...(job.outputDetails ? { outputGroupDetails: [{ outputDetails: job.outputDetails }] } : {}),
    ...(job.errorCode !== undefined ? { errorCode: job.errorCode, errorMessage: job.errorMessage } : {}),
  };
}

/** The job an earlier CreateJob made with this token within the idempotency window, if any. */
function tokenJob(emulator: Emulator, token: string | undefined, now: number): Job | undefined {
  const window = emulator.options.idempotencyWindowMs ?? 60_000;
  for (const [key, entry] of emulator.tokens) if (now - entry.at > window) emulator.tokens.delete(key);
  const earlier = token ? emulator.tokens.get(token) : undefined;
  return earlier && emulator.jobs.get(earlier.jobId);
}

function createJob(emulator: Emulator, body: Record<string, unknown>): Job {
  const token = typeof body.clientRequestToken === "string" ? body.clientRequestToken : undefined;
  const now = Date.now();
  const earlier = tokenJob(emulator, token, now);
  if (earlier) return earlier;
  const plan = planJob(body, emulator.options.segmentSeconds ?? 2);
  const suffix = Array.from(randomBytes(6), (byte) => "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36]).join("");
  const id = `${now}-${suffix}`;
  const userMetadata: Record<string, string> = {};
  if (body.userMetadata && typeof body.userMetadata === "object") {
    for (const [name, value] of Object.entries(body.userMetadata)) {
      if (typeof value === "string") userMetadata[name] = value;
    }
  }
  const job: Job = {
    id,
    arn: `arn:aws:mediaconvert:${emulator.region}:${emulator.account}:jobs/${id}`,
    queue: queueArn(emulator, body.queue),
    status: "SUBMITTED",
    request: body,
    userMetadata,
    createdAt: now,
    abort: new AbortController(),
  };
  emulator.jobs.set(id, job);
  if (token) emulator.tokens.set(token, { jobId: id, at: now });
  const done = runJob(emulator, job, plan).catch((error: Error) =>
    emulator.log(`MediaConvert job ${id} crashed: ${error.message}`),
  );
  emulator.running.add(done);
  void done.finally(() => emulator.running.delete(done));
  const destination = `s3://${plan.output.bucket}/${plan.output.prefix}`;
  emulator.log(`MediaConvert job ${id}: SUBMITTED (${plan.input.url} -> ${destination})`);
  return job;
}

function cancelJob(emulator: Emulator, id: string): void {
  const job = emulator.jobs.get(id);
  if (!job) throw new ApiError(404, "NotFoundException", `The specified job ${id} does not exist.`);
  if (job.status !== "SUBMITTED" && job.status !== "PROGRESSING") {
    throw new ApiError(409, "ConflictException", `You can't cancel a job that is ${job.status}.`);
  }
  job.status = "CANCELED";
  job.finishedAt = Date.now();
  job.abort.abort();
  emulator.log(`MediaConvert job ${id}: CANCELED`);
  emit(emulator, job, "CANCELED");
}

/** The REST-JSON API: false when the path is not MediaConvert's (another emulator's router may take it). */
async function route(emulator: Emulator, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (!url.pathname.startsWith(API_PREFIX)) return false;
  const path = url.pathname.slice(API_PREFIX.length);
  try {
    if (request.method === "POST" && path === "jobs") {
      const job = createJob(emulator, parseJsonObject(await readBody(request)));
      sendJson(response, 201, { job: wireJob(job) });
    } else if (request.method === "POST" && path === "endpoints") {
      await readBody(request);
      // The account endpoint is this emulator, at whatever address the client used.
      sendJson(response, 200, { endpoints: [{ url: `http://${request.headers.host ?? "127.0.0.1"}` }] });
    } else if (path.startsWith("jobs/") && (request.method === "GET" || request.method === "DELETE")) {
      const id = decodeURIComponent(path.slice("jobs/".length));
      if (request.method === "DELETE") {
        cancelJob(emulator, id);
        sendJson(response, 202, {});
      } else {
        const job = emulator.jobs.get(id);
        if (!job) throw new ApiError(404, "NotFoundException", `The specified job ${id} does not exist.`);
        sendJson(response, 200, { job: wireJob(job) });
      }
    } else {
      throw new ApiError(404, "NotFoundException", `${request.method} ${url.pathname} is not emulated locally.`);
    }
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError(500, "InternalServerErrorException", "Emulator failure.");
    // REST-JSON errors: type in x-amzn-ErrorType, message in the body.
    sendJson(response, apiError.status, { message: apiError.message }, { "x-amzn-errortype": apiError.type });
  }
  return true;
}

/** Starts the emulator on its own server (tests); `npm start` mounts the router on a shared one. */
export function startMediaConvertEmulator(
  options: MediaConvertEmulatorOptions & { port?: number },
): Promise<MediaConvertEmulator & EmulatorServer> {
  return serveEmulator(createMediaConvertEmulator(options), options.port, "MediaConvert emulator");
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text || "{}");
  } catch {
    throw new ApiError(400, "BadRequestException", "The request body is not valid JSON.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, "BadRequestException", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Validates a CreateJob body (wire shape) and extracts what the emulator runs. */
function planJob(body: Record<string, unknown>, defaultSegmentSeconds: number): JobPlan {
  const bad = (message: string) => new ApiError(400, "BadRequestException", message);
  if (typeof body.role !== "string" || body.role === "") throw bad("/role: Required.");
  const settings = record(body.settings);
  const inputs = Array.isArray(settings.inputs) ? settings.inputs : [];
  const fileInput = record(inputs[0]).fileInput;
  const input = typeof fileInput === "string" ? parseS3Url(fileInput) : undefined;
  if (!input || input.key === "") throw bad("/settings/inputs/0/fileInput: must be an s3://bucket/key URL.");
  const groups = Array.isArray(settings.outputGroups) ? settings.outputGroups.map(record) : [];
  const types = groups.map((g) => record(g.outputGroupSettings).type);
  if (
    types[0] !== "HLS_GROUP_SETTINGS" ||
    types.length > 2 ||
    (types.length === 2 && types[1] !== "FILE_GROUP_SETTINGS")
  ) {
    throw bad(
      "The local MediaConvert emulator produces one output group of type HLS_GROUP_SETTINGS, optionally followed by " +
        "one FILE_GROUP_SETTINGS group (frame captures).",
    );
  }
  const hls = record(record(groups[0]!.outputGroupSettings).hlsGroupSettings);
  const output = destinationOf(hls.destination);
  if (!output) throw bad("/settings/outputGroups/0/.../hlsGroupSettings/destination: must be an s3:// URL.");
  const segmentLength = Number(hls.segmentLength);
  const plan: JobPlan = {
    input: { ...input, url: fileInput as string },
    output,
    segmentSeconds: Number.isInteger(segmentLength) && segmentLength > 0 ? segmentLength : defaultSegmentSeconds,
  };
  if (groups.length === 2) {
    const captures = destinationOf(record(record(groups[1]!.outputGroupSettings).fileGroupSettings).destination);
    if (!captures) throw bad("/settings/outputGroups/1/.../fileGroupSettings/destination: must be an s3:// URL.");
    plan.captures = captures;
  }
  if (hls.encryption !== undefined) {
    const encryption = record(hls.encryption);
    const provider = record(encryption.staticKeyProvider);
    if (
      (encryption.encryptionMethod ?? "AES128") !== "AES128" ||
      encryption.type !== "STATIC_KEY" ||
      typeof provider.staticKeyValue !== "string" ||
      !AES_KEY_HEX.test(provider.staticKeyValue) ||
      typeof provider.url !== "string" ||
      provider.url === "" ||
      /["\r\n]/.test(provider.url)
    ) {
      throw bad(
        "The local MediaConvert emulator supports AES128 STATIC_KEY encryption with a 32-hex-digit staticKeyValue and a url.",
      );
    }
    const constant = encryption.constantInitializationVector;
    if (constant !== undefined && (typeof constant !== "string" || !AES_KEY_HEX.test(constant))) {
      throw bad("constantInitializationVector must be 32 hex digits.");
    }
    plan.encryption = {
      key: Buffer.from(provider.staticKeyValue, "hex"),
      url: provider.url,
      includeIv: encryption.initializationVectorInManifest === "INCLUDE",
      ...(typeof constant === "string" ? { constantIv: Buffer.from(constant, "hex") } : {}),
    };
  }
  return plan;
}

/** An output group destination: bucket, folder and, when the URL names a file, its base name. */
function destinationOf(url: unknown): CaptureDestination | undefined {
  const destination = typeof url === "string" ? parseS3Url(url) : undefined;
  if (!destination) return undefined;
  const slash = destination.key.lastIndexOf("/");
  return {
    bucket: destination.bucket,
    prefix: destination.key.slice(0, slash + 1),
    ...(destination.key.endsWith("/") || destination.key === "" ? {} : { baseName: destination.key.slice(slash + 1) }),
  };
}

/** The size of each of the ladder's renditions for an input of this size, in ladder order. */
export function renditionSizes(ladder: AbrLadder, input: FrameSize): FrameSize[] {
  return ladder.renditions.map((rendition) => fitWithoutUpscale(input, rendition));
}

/**
 * ffmpeg arguments: one HLS output per rendition into `work` (clear segments, encrypted on upload).
 * MediaConvert's QVBR has no ffmpeg equivalent; a VBR encode capped at the rung's maxBitrate stands in.
 */
function ffmpegArgs(
  source: string,
  work: string,
  ladder: AbrLadder,
  segmentSeconds: number,
  input: { audio: boolean; video: FrameSize },
) {
  const { audio } = input;
  const sizes = renditionSizes(ladder, input.video);
  const args = ["-y", "-loglevel", "error", "-i", source];
  ladder.renditions.forEach((rendition, index) => {
    args.push("-map", "0:v:0", ...(audio ? ["-map", "0:a:0"] : []));
    // The size MediaConvert's FIT_NO_UPSCALE gives (the rung is a ceiling), not the rung's own.
    const size = sizes[index]!;
    args.push(
      "-vf",
      `scale=${size.width}:${size.height}`,
      "-c:v",
      "libx264",
      // The cheapest preset: the local stand-in encodes every rung of the ladder (up to 720p) per upload.
      "-preset",
      "ultrafast",
      // Main profile, level 3.1: the CODECS attribute of the master says avc1.4d401f.
      "-profile:v",
      "main",
      "-level:v",
      "3.1",
      "-pix_fmt",
      "yuv420p",
      "-b:v",
      String(Math.round(rendition.maxBitrate / 2)),
      "-maxrate",
      String(rendition.maxBitrate),
      "-bufsize",
      String(rendition.maxBitrate * 2),
      // A key frame at every segment boundary, so segments have the requested length.
      "-force_key_frames",
      `expr:gte(t,n_forced*${segmentSeconds})`,
      "-sc_threshold",
      "0",
    );
    if (audio)
      args.push(
        "-c:a",
        "aac",
        "-b:a",
        String(ladder.audio.bitrate),
        "-ar",
        String(ladder.audio.sampleRate),
        "-ac",
        "2",
      );
    args.push(
      "-f",
      "hls",
      "-hls_time",
      String(segmentSeconds),
      "-hls_playlist_type",
      "vod",
      "-hls_list_size",
      "0",
      "-start_number",
      "1",
      "-hls_segment_filename",
      join(work, `r${index}_%05d.ts`),
      join(work, `r${index}.m3u8`),
    );
  });
  return args;
}

/** Segment files and durations of a playlist ffmpeg wrote. */
function parseFfmpegPlaylist(text: string): Array<{ file: string; duration: number }> {
  const segments: Array<{ file: string; duration: number }> = [];
  let duration: number | undefined;
  for (const line of text.split("\n").map((l) => l.trim())) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) duration = Number(extinf[1]);
    else if (line && !line.startsWith("#") && duration !== undefined) {
      segments.push({ file: line, duration });
      duration = undefined;
    }
  }
  return segments;
}
