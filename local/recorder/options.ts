/**
 * `npm run record` arguments and settings, parsed into plain data (no I/O). Every problem is a
 * message naming the argument or variable, for the CLI to print with its usage.
 */
import { DEFAULT_BUCKETS, DEFAULT_RECORDINGS_PREFIX, DEFAULT_RECORDING_SEGMENT_SECONDS } from "../../model/index.ts";
import { isValidStreamName } from "./naming.ts";
import type { Every } from "./plan.ts";

export interface RecorderOptions {
  /** Anything ffmpeg reads, or `testsrc`. */
  input: string;
  stream: string;
  bucket: string;
  prefix: string;
  segmentSeconds: number;
  /** Archive length to write ending now; live recording when absent. */
  backfillSeconds?: number;
  /** Stop after this much media (live mode); until Ctrl-C when absent. */
  durationSeconds?: number;
  gap?: Every;
  late?: Every;
  /** Real S3 (default credential chain and region) instead of the local stack. */
  aws: boolean;
  /** Largest backlog of segments waiting for upload, bytes. */
  backlogBytes: number;
  /** Where segments wait for their upload (kept across runs: a restart uploads what is left). */
  workDir?: string;
  /** Uploads in flight during a backfill. */
  concurrency: number;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90`, `90s`, `15m`, `2h`, `7d`, `1w` -> seconds; undefined when not a positive duration. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNITS[match[2] || "s"]!;
  return seconds > 0 && Number.isFinite(seconds) ? seconds : undefined;
}

const SIZES: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** `500m`, `2g`, `1048576` -> bytes (binary units); undefined when not a positive size. */
export function parseSize(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)i?b?$/i.exec(value.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * SIZES[match[2]!.toLowerCase()]!);
  return bytes > 0 ? bytes : undefined;
}

/** `<every>[:<length>]`, e.g. `1h:5m` (a 5-minute hole every hour), `10m` (length: one segment). */
export function parseEvery(value: string, segmentSeconds: number): Every | undefined {
  const [everyText, lengthText, ...rest] = value.split(":");
  if (rest.length > 0 || everyText === undefined) return undefined;
  const every = parseDuration(everyText);
  const length = lengthText === undefined ? segmentSeconds : parseDuration(lengthText);
  if (every === undefined || length === undefined || every < segmentSeconds) return undefined;
  return { everySeconds: every, lengthSeconds: length };
}

function settings(env: NodeJS.ProcessEnv): Pick<RecorderOptions, "bucket" | "prefix" | "segmentSeconds"> {
  const seconds = env.RECORDING_SEGMENT_SECONDS ?? String(DEFAULT_RECORDING_SEGMENT_SECONDS);
  // The Worker's limits (worker/config.ts): whole seconds, 1 to 3600.
  if (!/^\d+$/.test(seconds) || Number(seconds) < 1 || Number(seconds) > 3600) {
    throw new Error(`RECORDING_SEGMENT_SECONDS must be a whole number of seconds from 1 to 3600, got "${seconds}"`);
  }
  const bucket = env.RECORDINGS_BUCKET || DEFAULT_BUCKETS.recordings;
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`RECORDINGS_BUCKET is not a valid S3 bucket name: "${bucket}"`);
  }
  const prefix = env.RECORDINGS_PREFIX ?? DEFAULT_RECORDINGS_PREFIX;
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(prefix) || prefix.split("/").includes("..")) {
    throw new Error(`RECORDINGS_PREFIX must be a plain S3 key prefix, got "${prefix}"`);
  }
  return { bucket, prefix, segmentSeconds: Number(seconds) };
}

/** Flags that take a value, and how each is read. */
type Flag =
  "--stream" | "--backfill" | "--duration" | "--gap" | "--late" | "--backlog" | "--work-dir" | "--concurrency";
const VALUE_FLAGS = new Set<string>([
  "--stream", "--backfill", "--duration", "--gap", "--late", "--backlog", "--work-dir", "--concurrency",
]); // prettier-ignore

function splitArguments(argv: readonly string[]): { positional: string[]; values: Map<Flag, string>; aws: boolean } {
  const positional: string[] = [];
  const values = new Map<Flag, string>();
  let aws = false;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.startsWith("--") ? argv[i]!.split(/=(.*)/s, 2) : [argv[i]!, undefined];
    if (name === "--aws") aws = true;
    else if (VALUE_FLAGS.has(name!)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      values.set(name as Flag, value);
    } else if (name!.startsWith("--")) throw new Error(`Unknown option ${name}`);
    else positional.push(argv[i]!);
  }
  return { positional, values, aws };
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** Parses the command line and the environment; throws an Error whose message says what is wrong. */
export function parseRecorderArguments(argv: readonly string[], env: NodeJS.ProcessEnv): RecorderOptions {
  const { positional, values, aws } = splitArguments(argv);
  if (positional.length !== 1) throw new Error("Give exactly one input (a camera URL, a file, a device or testsrc)");
  const stream = required(values.get("--stream"), "--stream <name> is required");
  if (!isValidStreamName(stream)) {
    throw new Error(`--stream "${stream}": letters, digits, '.', '_' and '-' in '/'-separated parts`);
  }
  const base = settings(env);
  const read = <T>(flag: Flag, parse: (value: string) => T | undefined, expected: string): T | undefined => {
    const raw = values.get(flag);
    return raw === undefined ? undefined : required(parse(raw), `${flag} "${raw}" is not ${expected}`);
  };
  const every = (value: string) => parseEvery(value, base.segmentSeconds);
  const options: RecorderOptions = {
    input: positional[0]!,
    stream,
    ...base,
    backfillSeconds: read("--backfill", parseDuration, "a duration (e.g. 7d, 12h, 90m)"),
    durationSeconds: read("--duration", parseDuration, "a duration (e.g. 10m, 90s)"),
    gap: read("--gap", every, "<every>[:<length>] with every >= one segment (e.g. 1h:5m)"),
    late: read("--late", every, "<every>[:<delay>] with every >= one segment (e.g. 10m:2m)"),
    aws,
    backlogBytes: read("--backlog", parseSize, "a size (e.g. 500m, 2g)") ?? 2 ** 30,
    workDir: values.get("--work-dir"),
    concurrency: read("--concurrency", (v) => (/^\d+$/.test(v) && +v >= 1 && +v <= 64 ? +v : undefined), "1-64") ?? 8,
  };
  if (options.backfillSeconds !== undefined && options.durationSeconds !== undefined) {
    throw new Error("--duration is for live recording; --backfill already says how long the archive is");
  }
  return options;
}
