/**
 * `npm run record -- <input> --stream <name> [options]`: a cloud recorder. Turns a camera URL, a
 * file, a device or `testsrc` into RECORDING_SEGMENT_SECONDS MPEG-TS segments named by their
 * start time and uploads each to the recordings bucket as it completes (docs/recording.md).
 * The local stack's S3 server by default; `--aws` for real S3 with the usual AWS credentials.
 */
import { statfsSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { awsS3ClientForCli, localS3Client } from "./aws.ts";
import { localDataDir, localEndpoints, localPorts, RECORDINGS_SETTINGS_USAGE } from "./defaults.ts";
import { backfill } from "./recorder/backfill.ts";
import { describeError, formatEvent, type RecorderEvent } from "./recorder/events.ts";
import { redactInput } from "./recorder/ffmpeg.ts";
import { recordLive, type RecorderDeps } from "./recorder/live.ts";
import { streamKeyPrefix } from "./recorder/naming.ts";
import { parseRecorderArguments, type RecorderOptions } from "./recorder/options.ts";

const USAGE = `Usage: npm run record -- <input> --stream <name> [options]

  <input>               a camera or stream URL (rtsp://, http://, ...), a file, a device, or testsrc
                        (a moving test pattern with a UTC clock)
  --stream <name>       the stream: segments go to <RECORDINGS_PREFIX>/<name>/YYYYMMDDTHHMMSSZ.ts
  --duration <d>        stop after this much (e.g. 10m); until Ctrl-C otherwise
  --backfill <d>        write an archive of this length ending now (e.g. 7d) instead of recording live
  --gap <every>[:<len>] leave out <len> (default one segment) of every <every> (e.g. 1h:5m)
  --late <every>[:<d>]  upload one segment of every <every> <d> late (e.g. 10m:2m)
  --backlog <size>      most segment bytes waiting for upload before the oldest are dropped (1g)
  --work-dir <dir>      where segments wait for upload (.local/recorder/<stream>)
  --concurrency <n>     uploads in flight during --backfill (8)
  --aws                 real S3 (AWS credentials and region as the AWS CLI finds them)

${RECORDINGS_SETTINGS_USAGE}`;

async function s3Target(options: RecorderOptions): Promise<{ client: S3Client; description: string }> {
  if (options.aws) return { client: await awsS3ClientForCli(), description: "AWS S3" };
  const endpoint = process.env.S3_ENDPOINT ?? localEndpoints(localPorts(process.env)).s3;
  return { client: localS3Client(endpoint), description: `the local S3 server at ${endpoint}` };
}

function deps(client: S3Client): RecorderDeps {
  return {
    client,
    sleep: (ms) => sleep(ms),
    random: Math.random,
    now: Date.now,
    freeBytes: (dir) => {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    report: (event: RecorderEvent) => {
      const line = formatEvent(event);
      if (["dropped", "disk-full", "retry"].includes(event.type)) console.error(line);
      else console.log(line);
    },
  };
}

function windowUrl(options: RecorderOptions, startSeconds: number): string {
  const worker =
    process.env.WORKER_URL ?? (options.aws ? "<your Worker>" : localEndpoints(localPorts(process.env)).worker);
  return `${worker}/api/media/recordings/playlist.m3u8?stream=${encodeURIComponent(options.stream)}&start=${startSeconds}`;
}

async function live(options: RecorderOptions, recorderDeps: RecorderDeps): Promise<number> {
  const workDir = resolve(options.workDir ?? join(localDataDir(process.env), "recorder", options.stream));
  const recording = recordLive({ ...options, workDir }, recorderDeps);
  console.log(`Live window: ${windowUrl(options, recording.startSeconds)}`);
  let firstInterrupt: number | undefined;
  process.on("SIGINT", () => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by npm/tsx): a second one within
    // a second is the same keypress.
    if (firstInterrupt !== undefined && Date.now() - firstInterrupt < 1000) return;
    if (firstInterrupt === undefined) {
      firstInterrupt = Date.now();
      console.log("Stopping: finishing the segment in progress and the uploads (Ctrl-C again to quit now)");
      return recording.stop();
    }
    const left = recording.waiting();
    console.error(`Quit with ${left.length} segment(s) not uploaded, kept in ${join(workDir, "pending")}:`);
    for (const segment of left) console.error(`  ${segment.key}`);
    console.error("The next run with this --stream uploads them first.");
    process.exit(130);
  });
  const { uploaded } = await recording.done;
  console.log(`Stopped after ${uploaded} segment(s).`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("-h") || argv.includes("--help")) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let options: RecorderOptions;
  try {
    options = parseRecorderArguments(argv, process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let target: { client: S3Client; description: string };
  try {
    // With --aws, fails now, not after a segment's worth of recording, when the SDK finds no region or credentials.
    target = await s3Target(options);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { client, description } = target;
  const where = `s3://${options.bucket}/${streamKeyPrefix(options.prefix, options.stream)}`;
  try {
    if (options.backfillSeconds !== undefined) {
      console.log(
        `Backfilling ${options.backfillSeconds} s of ${options.segmentSeconds}-s segments to ${where} (${description})`,
      );
      const result = await backfill({ ...options, backfillSeconds: options.backfillSeconds }, deps(client));
      console.log(`Backfilled ${result.uploaded} segment(s), ${result.gaps} left out.`);
      return 0;
    }
    const input = redactInput(options.input, options.input);
    console.log(`Recording ${input} in ${options.segmentSeconds}-s segments to ${where} (${description})`);
    return await live(options, deps(client));
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // An S3 error is named by its code and status, never by the body S3 sent.
    const upstream = typeof error === "object" && error !== null && "$metadata" in error;
    console.error(
      `Recording failed: ${upstream ? `upload refused (${describeError(error)})` : (error as Error).message}`,
    );
    process.exit(1);
  },
);
