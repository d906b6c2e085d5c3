/**
 * `npm run reindex -- [options]`: rebuilds the recording index (docs/recording-index.md) over a
 * stretch of the archive, with the indexer's own writer (aws-lambdas/recording-index/reindex.ts):
 * after an upgrade from index formats 1/2, and for footage recorded before the indexer ran or
 * while it was failing. The local stack's S3 server by default; `--aws` for real S3 with the SDK's
 * default credentials. Settings are the recording-index Lambda's (RECORDINGS_PREFIX,
 * RECORDING_SEGMENT_SECONDS, through its reader) and the Worker's RECORDINGS_BUCKET.
 *
 * Progress goes to stderr, one line per span; a JSON summary to stdout. Exit 0 when every span was
 * done, 1 when one failed (the others are still done; failures listed), 2 for a usage or settings
 * error (message and usage, no stack).
 */
import { pathToFileURL } from "node:url";
import { readRecordingIndexConfig, type RecordingIndexConfig } from "../aws-lambdas/recording-index/config.ts";
import {
  discoverStreams,
  firstSegment,
  planReindex,
  runReindex,
  type ArchiveStream,
  type SpanOutcome,
} from "../aws-lambdas/recording-index/reindex.ts";
import { ConfigError, type Env } from "../aws-lambdas/shared/config.ts";
import type { S3Objects } from "../aws-lambdas/shared/s3-objects.ts";
import { type SettingName, SETTINGS } from "../model/settings.ts";
import { folderPrefix, settingsReader } from "../model/settings-reader.ts";
import { awsS3ObjectsForCli, localS3Objects } from "./aws.ts";
import { localStack, RECORDINGS_SETTINGS_USAGE } from "./defaults.ts";
import {
  DEFAULT_CONCURRENCY,
  MAX_CONCURRENCY,
  parseReindexArguments,
  type ReindexArguments,
} from "./reindex-options.ts";

const USAGE = `Usage: npm run reindex -- [options]

Rebuilds the recording index objects (one per stream and two UTC days) from the segments in the
recordings bucket, as the recording-index Lambda writes them.

  --stream <name>     a stream to rebuild (repeatable; "" = segments directly under RECORDINGS_PREFIX);
                      default: every stream found under RECORDINGS_PREFIX
  --from <time>       start: a date (2024-01-02 = 00:00 UTC) or an ISO time with its zone
                      (2024-01-02T13:00:00Z); default: each stream's first segment
  --to <time>         end, exclusive; default: now
  --only-stale        rebuild only spans whose index object is missing, of an older format, or not
                      settled as far as it could be (one 3-KB read each)
  --dry-run           read only: print the spans a run would rebuild, write nothing
  --concurrency <n>   spans rebuilt at once (${DEFAULT_CONCURRENCY}; 1-${MAX_CONCURRENCY})
  --aws               real S3 (AWS credentials and region as the AWS CLI finds them)

${RECORDINGS_SETTINGS_USAGE} Progress on stderr, a JSON summary on
stdout; exit 1 when a span failed, 2 for a usage or settings error.`;

/** Where the command writes and what it runs on. `s3` replaces the S3 access it would build (tests). */
export interface ReindexIo {
  out: (text: string) => void;
  err: (line: string) => void;
  /** Epoch seconds: decides which hours have settled. */
  now: () => number;
  s3?: S3Objects;
}

interface ReindexSettings {
  bucket: string;
  config: RecordingIndexConfig;
}

/** RECORDINGS_BUCKET (the Worker's setting; the Lambda has it from its events) and the Lambda's own settings. */
function readSettings(env: Env): ReindexSettings {
  const read = settingsReader<SettingName>(
    (name) => env[name],
    (name, problem) => new ConfigError(name, problem),
  );
  const bucket = read.bucket("RECORDINGS_BUCKET", SETTINGS.RECORDINGS_BUCKET.default)!;
  return { bucket, config: readRecordingIndexConfig(env) };
}

/**
 * The indexer's S3 access (aws-lambdas/shared/s3-objects.ts): the local stack's server (its fixed
 * credentials), or with `--aws` real S3 with the credentials and region `npm run record` finds.
 */
async function s3Access(env: Env, aws: boolean): Promise<S3Objects> {
  return aws ? awsS3ObjectsForCli() : localS3Objects(localStack(env as NodeJS.ProcessEnv).endpoints.s3);
}

/** The streams to rebuild: the named ones (with their first segment when no --from), else every one found. */
async function streamsToIndex(
  s3: S3Objects,
  args: ReindexArguments,
  settings: ReindexSettings,
): Promise<ArchiveStream[]> {
  const { bucket, config } = settings;
  if (args.streams.length === 0) return discoverStreams(s3, bucket, config.recordingsFolder);
  return Promise.all(
    args.streams.map(async (name) => {
      const streamPrefix = config.recordingsFolder + folderPrefix(name);
      if (args.from !== undefined) return { streamPrefix };
      return { streamPrefix, firstSegment: await firstSegment(s3, bucket, streamPrefix) };
    }),
  );
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function progressLine(outcome: SpanOutcome): string {
  switch (outcome.outcome) {
    case "planned":
      return `would rebuild ${outcome.key}`;
    case "rebuilt":
      return `rebuilt ${outcome.key}: ${outcome.segments} segment(s)`;
    case "skipped":
      return `skipped ${outcome.key}: ${outcome.reason}`;
    case "failed":
      return `FAILED ${outcome.key}: ${outcome.error}`;
  }
}

/** Plans and runs the rebuild; resolves to the exit code. */
async function run(s3: S3Objects, args: ReindexArguments, settings: ReindexSettings, io: ReindexIo): Promise<number> {
  const nowSeconds = io.now();
  const streams = await streamsToIndex(s3, args, settings);
  const to = args.to ?? nowSeconds;
  const targets = planReindex(settings.bucket, streams, { from: args.from, to, nowSeconds });
  io.err(
    `${args.dryRun ? "Dry run (nothing is written): " : ""}${targets.length} span(s) of ${streams.length} stream(s) ` +
      `in s3://${settings.bucket}/${settings.config.recordingsFolder}, up to ${iso(to)}`,
  );
  for (const stream of streams) {
    const from = args.from ?? stream.firstSegment;
    io.err(`  ${stream.streamPrefix || "(bucket root)"}: ${from === undefined ? "no segments" : `from ${iso(from)}`}`);
  }
  let done = 0;
  const summary = await runReindex(s3, streams, targets, {
    config: settings.config,
    nowSeconds,
    onlyStale: args.onlyStale,
    dryRun: args.dryRun,
    concurrency: args.concurrency,
    onSpan: (outcome) => io.err(`[${++done}/${targets.length}] ${progressLine(outcome)}`),
  });
  io.out(`${JSON.stringify(summary, null, 2)}\n`);
  if (summary.failed === 0) return 0;
  io.err(`${summary.failed} span(s) failed (run again to retry them):`);
  for (const failure of summary.failures) io.err(`  ${failure.key}: ${failure.error}`);
  return 1;
}

/** `npm run reindex` with its arguments and environment; resolves to the exit code. */
export async function reindex(argv: readonly string[], env: Env, io: ReindexIo): Promise<number> {
  let args: ReindexArguments;
  let settings: ReindexSettings;
  try {
    args = parseReindexArguments(argv);
    if (args.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    settings = readSettings(env);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let s3: S3Objects;
  try {
    s3 = io.s3 ?? (await s3Access(env, args.aws));
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  return run(s3, args, settings, io);
}

// Run as the `npm run reindex` script; imported (tests), it only exports its functions.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  reindex(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => Date.now() / 1000,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // A listing that failed before any span ran (no bucket, no server): its name and message, no stack.
      const text = `${(error as Error).name}: ${(error as Error).message}`;
      const local = /ECONNREFUSED|fetch failed|socket hang up/i.test(text + String((error as Error).stack));
      process.stderr.write(
        `Reindex failed: ${text}\n${local ? "Hint: is the local stack running (`npm start`)?\n" : ""}`,
      );
      process.exit(1);
    },
  );
}
