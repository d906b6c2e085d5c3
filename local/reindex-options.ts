/**
 * `npm run reindex` arguments, parsed into plain data (no I/O). Every problem is an Error whose
 * message names the argument, for the command to print with its usage (exit 2).
 */
import { isValidStreamName } from "../worker/hls/recordings.ts";

export interface ReindexArguments {
  /** Stream names ("" = the unnamed stream, segments directly under RECORDINGS_PREFIX); none = every stream found. */
  streams: string[];
  /** Epoch seconds; undefined = each stream's first segment. */
  from?: number;
  /** Epoch seconds, exclusive; undefined = now. */
  to?: number;
  onlyStale: boolean;
  dryRun: boolean;
  concurrency: number;
  /** Real S3 (the SDK's default credentials and region) instead of the local stack. */
  aws: boolean;
  help: boolean;
}

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 32;
const SWITCHES = new Set(["--only-stale", "--dry-run", "--aws", "--help", "-h"]);
const VALUE_FLAGS = new Set(["--stream", "--from", "--to", "--concurrency"]);

/**
 * A date (`2024-01-02`: 00:00 UTC) or an ISO 8601 time with its zone (`2024-01-02T13:00:00Z`,
 * `...+01:00`), as epoch seconds; undefined otherwise. A time without a zone is refused rather than
 * read in the machine's zone: segment names and index spans are UTC.
 */
export function parseTime(value: string): number | undefined {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  if (!date && !time) return undefined;
  const ms = Date.parse(date ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2024-02-30 over to March: refuse a date that is not on the calendar.
  if (date && new Date(ms).toISOString().slice(0, 10) !== value) return undefined;
  return Math.floor(ms / 1000);
}

function readTime(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseTime(value);
  if (seconds === undefined) {
    throw new Error(
      `${flag} "${value}" is not a date (2024-01-02) or an ISO time with its zone (2024-01-02T13:00:00Z)`,
    );
  }
  return seconds;
}

/** Parses the command line; throws an Error whose message says what is wrong. */
export function parseReindexArguments(argv: readonly string[]): ReindexArguments {
  const streams: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.startsWith("--") ? argv[i]!.split(/=(.*)/s, 2) : [argv[i]!, undefined];
    if (SWITCHES.has(name!)) {
      if (inline !== undefined) throw new Error(`${name} takes no value`);
      switches.add(name!);
    } else if (VALUE_FLAGS.has(name!)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      if (name === "--stream") streams.push(value);
      else values.set(name!, value);
    } else if (name!.startsWith("-")) throw new Error(`Unknown option ${name}`);
    else throw new Error(`Unexpected argument "${name}" (streams are named with --stream)`);
  }
  for (const stream of streams) {
    if (stream !== "" && !isValidStreamName(stream)) {
      throw new Error(`--stream "${stream}": letters, digits, '.', '_' and '-' in '/'-separated parts ("" = unnamed)`);
    }
  }
  const from = readTime("--from", values.get("--from"));
  const to = readTime("--to", values.get("--to"));
  if (from !== undefined && to !== undefined && from >= to) throw new Error("--from must be before --to");
  const concurrencyText = values.get("--concurrency");
  const concurrency = concurrencyText === undefined ? DEFAULT_CONCURRENCY : Number(concurrencyText);
  if (!/^\d+$/.test(concurrencyText ?? "1") || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new Error(`--concurrency "${concurrencyText}" is not a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return {
    streams: [...new Set(streams)],
    from,
    to,
    onlyStale: switches.has("--only-stale"),
    dryRun: switches.has("--dry-run"),
    concurrency,
    aws: switches.has("--aws"),
    help: switches.has("--help") || switches.has("-h"),
  };
}
