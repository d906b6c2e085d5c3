/**
 * The encoder: ffmpeg's segment muxer cuts H.264/AAC MPEG-TS segments of exactly the segment
 * length (key frames forced onto every boundary) and reports each one on stdout as it closes
 * (`-segment_list pipe:1 -segment_list_type csv`), so the recorder reacts to completed segments
 * instead of watching the clock. The argument builder is pure; startSegmenter is the process edge.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { parseSegmentListLine, type SegmentListEntry } from "./naming.ts";

/** The input name that stands for ffmpeg's moving test pattern with a visible UTC clock. */
export const TEST_PATTERN = "testsrc";

/** A font Debian's fonts-dejavu-core ships (ffmpeg's drawtext needs a file or fontconfig). */
const CLOCK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

export interface EncodeOptions {
  input: string;
  segmentSeconds: number;
  /** Where ffmpeg writes segments (`segment-<n>.ts`). */
  outDir: string;
  /** Read the input at its native rate (-re): live recording of a test pattern or a file. */
  realtime: boolean;
  /** Stop after this much media. */
  durationSeconds?: number;
  /** Epoch seconds the test pattern's clock shows at media time 0. */
  clockStart: number;
  /**
   * A small, cheap test pattern (320x180, 10 fps, ~250 kbit/s) instead of 640x360 at 25 fps:
   * backfills, whose content does not matter and whose size does (7 days are 20,160 segments).
   */
  light?: boolean;
}

/** Size, frame rate and video bit rate of the test pattern. */
function testPattern(light: boolean | undefined): { size: string; rate: number; bitrate: string; audio: string } {
  return light
    ? { size: "320x180", rate: 10, bitrate: "120k", audio: "48k" }
    : { size: "640x360", rate: 25, bitrate: "800k", audio: "96k" };
}

/** Whether an input is read at its own pace already (a camera or a device), not from storage. */
export function isLiveSource(input: string): boolean {
  return /^(rtsp|rtsps|rtmp|rtmps|srt|udp|rtp|http|https|tcp):\/\//i.test(input) || input.startsWith("/dev/");
}

function inputArgs(options: EncodeOptions): string[] {
  const pace = options.realtime && !isLiveSource(options.input) ? ["-re"] : [];
  if (options.input === TEST_PATTERN) {
    const pattern = testPattern(options.light);
    return [
      ...pace, "-f", "lavfi", "-i", `testsrc2=size=${pattern.size}:rate=${pattern.rate}`,
      ...pace, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-map", "0:v:0", "-map", "1:a:0",
      // drawtext's expansion needs ':' escaped twice (option, then filter graph level).
      "-vf", `drawtext=fontfile=${CLOCK_FONT}:fontsize=28:fontcolor=white:box=1:boxcolor=black@0.6:x=16:y=16:` +
        `text='%{pts\\:gmtime\\:${Math.floor(options.clockStart)}\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S} UTC'`,
      // A capped rate: testsrc2's noise would otherwise take several Mbit/s.
      "-b:v", pattern.bitrate, "-maxrate", pattern.bitrate, "-bufsize", `${parseInt(pattern.bitrate) * 2}k`,
      "-b:a", pattern.audio,
    ]; // prettier-ignore
  }
  // A file recorded "live" loops, so it stands in for a camera until stopped.
  const loop = options.realtime && !isLiveSource(options.input) ? ["-stream_loop", "-1"] : [];
  const rtsp = /^rtsps?:\/\//i.test(options.input) ? ["-rtsp_transport", "tcp"] : [];
  return [...rtsp, ...loop, ...pace, "-i", options.input, "-map", "0:v:0", "-map", "0:a:0?"];
}

/**
 * ffmpeg arguments (after `ffmpeg -hide_banner -nostdin`). Key frames are forced every 2 s (1 s
 * for odd lengths), which lands one on every segment boundary, and scene-cut key frames are off
 * so the encoder adds none in between that the muxer could cut on.
 */
export function ffmpegArgs(options: EncodeOptions): string[] {
  const keyEvery = options.segmentSeconds % 2 === 0 ? 2 : 1;
  const duration = options.durationSeconds === undefined ? [] : ["-t", String(options.durationSeconds)];
  return [
    "-loglevel", "error",
    ...inputArgs(options),
    ...duration,
    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
    "-force_key_frames", `expr:gte(t,n_forced*${keyEvery})`, "-sc_threshold", "0",
    "-c:a", "aac", "-ar", "48000",
    "-f", "segment", "-segment_time", String(options.segmentSeconds), "-segment_format", "mpegts",
    // Each file starts with fresh continuity counters; say so, or strict clients (ffmpeg -xerror)
    // report the first packets of every segment as corrupt (docs/api.md, "Recorder windows").
    "-segment_format_options", "mpegts_flags=+initial_discontinuity",
    "-segment_list", "pipe:1", "-segment_list_type", "csv",
    join(options.outDir, "segment-%09d.ts"),
  ]; // prettier-ignore
}

/**
 * The input as it may be shown: a camera URL's password replaced by `***` (RTSP cameras take
 * `rtsp://user:password@host/...`). Everything printed that can hold the URL goes through this.
 */
export function redactInput(text: string, input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return text;
  }
  if (url.password === "") return text;
  const secrets = [input, `${url.username}:${url.password}@`, url.password, decodeURIComponent(url.password)];
  const masked = `${url.protocol}//${url.username}:***@${input.slice(input.indexOf("@") + 1)}`;
  return secrets.reduce(
    (result, secret, index) =>
      result.split(secret).join(index === 0 ? masked : index === 1 ? `${url.username}:***@` : "***"),
    text,
  );
}

/** The error for an ffmpeg that exited badly, with its last output (input credentials masked). */
export function ffmpegFailure(
  exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string },
  input: string,
): Error {
  const output = exit.stderr === "" ? "no output" : redactInput(exit.stderr, input);
  return new Error(`ffmpeg failed (exit ${exit.code ?? exit.signal}): ${output}`);
}

export interface Segmenter {
  /** Resolves when ffmpeg has exited, with its exit code and the end of its error output. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Asks ffmpeg to finish the segment in progress and exit (SIGINT, as Ctrl-C in a terminal). */
  stop(): void;
  /** Ends ffmpeg at once. */
  kill(): void;
}

/**
 * Runs ffmpeg with these arguments in its own process group (so a terminal's Ctrl-C reaches only
 * the recorder, which forwards one SIGINT) and calls `onSegment` for each segment it closes.
 */
export function startSegmenter(args: string[], onSegment: (entry: SegmentListEntry) => void): Segmenter {
  const child = spawn("ffmpeg", ["-hide_banner", "-nostdin", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    const entry = parseSegmentListLine(line);
    if (entry !== undefined) onSegment(entry);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let linesClosed = false;
    // Both: the last segment's line must be read before the exit is reported.
    const settle = () => status !== undefined && linesClosed && resolve({ ...status, stderr: stderr.trim() });
    lines.once("close", () => ((linesClosed = true), settle()));
    child.once("close", (code, signal) => ((status = { code, signal }), settle()));
    child.once("error", (error) => {
      stderr += `\n${error.message}`;
      status = { code: null, signal: null };
      linesClosed = true;
      settle();
    });
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
  };
  return { exited, stop: () => signal("SIGINT"), kill: () => signal("SIGKILL") };
}
