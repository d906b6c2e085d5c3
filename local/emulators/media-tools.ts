/**
 * ffmpeg/ffprobe for the local emulators: whether they are installed, what a video file contains,
 * and an ffmpeg run that reports progress. The emulators work without them only as far as the real
 * services would fail: no ffmpeg means a MediaConvert job ends in ERROR and a Rekognition job in
 * FAILED, each with a message that says to install ffmpeg.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** True when `tool <versionArgs>` runs (ffmpeg and ffprobe take `-version`, the AWS CLI `--version`). Cached. */
const present = new Map<string, Promise<boolean>>();
export function hasTool(tool: string, versionArgs: string[] = ["-version"]): Promise<boolean> {
  const cacheKey = [tool, ...versionArgs].join(" ");
  let answer = present.get(cacheKey);
  if (!answer) {
    answer = run(tool, versionArgs, { timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    present.set(cacheKey, answer);
  }
  return answer;
}

/** What ffprobe says about a video file. */
export interface ProbeResult {
  durationMs: number;
  /** ffprobe's `format_long_name`, e.g. "QuickTime / MOV". */
  format: string;
  formatName: string;
  /**
   * The picture as displayed: `width` and `height` are after the container's rotation (a phone's
   * portrait video is stored as landscape frames with a 90° displaymatrix), which ffmpeg applies
   * when it decodes, as MediaConvert does with the input's Rotate AUTO (infra/lib/hls-job-template.ts).
   */
  video?: { codec: string; width: number; height: number; frameRate: number; colorRange?: string };
  audio?: { codec: string };
}

/** A file ffprobe cannot read, or one without a video stream. */
export class ProbeError extends Error {
  override name = "ProbeError";
}

function frameRate(value: unknown): number {
  const [num, den] = String(value ?? "")
    .split("/")
    .map(Number);
  return num && den ? num / den : 0;
}

/**
 * Whether a video stream is displayed a quarter turn from how it is stored: a displaymatrix rotation
 * (ffprobe's side data) or the older `rotate` tag of ±90 or ±270 degrees.
 */
function quarterTurned(stream: Record<string, unknown>): boolean {
  const sideData = (stream.side_data_list as Array<{ rotation?: unknown }> | undefined) ?? [];
  const tags = (stream.tags as { rotate?: unknown } | undefined) ?? {};
  const rotation = Number(sideData.find((entry) => entry.rotation !== undefined)?.rotation ?? tags.rotate ?? 0);
  return Math.abs(Math.round(rotation)) % 180 === 90;
}

/** Probes `file` with ffprobe. Throws ProbeError for files it cannot read. */
export async function probe(file: string, ffprobe = "ffprobe"): Promise<ProbeResult> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      ffprobe,
      [
        "-v",
        "error",
        "-show_entries",
        "format=duration,format_name,format_long_name:stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,color_range:stream_side_data=rotation:stream_tags=rotate",
        "-of",
        "json",
        file,
      ],
      { timeout: 60_000, maxBuffer: 1 << 22 },
    ));
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
    throw new ProbeError(stderr.split("\n").pop() || "ffprobe could not read the file");
  }
  const parsed = JSON.parse(stdout) as {
    format?: { duration?: string; format_name?: string; format_long_name?: string };
    streams?: Array<Record<string, unknown>>;
  };
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === "video");
  const audio = streams.find((s) => s.codec_type === "audio");
  const durationMs = Math.round(Number(parsed.format?.duration ?? 0) * 1000);
  if (!video || !Number.isFinite(durationMs) || durationMs <= 0) {
    throw new ProbeError(video ? "the file has no duration" : "the file has no video stream");
  }
  const [width, height] = [Number(video.width ?? 0), Number(video.height ?? 0)];
  const upright = quarterTurned(video) ? { width: height, height: width } : { width, height };
  const result: ProbeResult = {
    durationMs,
    format: parsed.format?.format_long_name ?? "",
    formatName: parsed.format?.format_name ?? "",
    video: {
      codec: String(video.codec_name ?? ""),
      ...upright,
      frameRate: frameRate(video.avg_frame_rate) || frameRate(video.r_frame_rate),
      ...(typeof video.color_range === "string" ? { colorRange: video.color_range } : {}),
    },
  };
  if (audio) result.audio = { codec: String(audio.codec_name ?? "") };
  return result;
}

/**
 * Runs ffmpeg with `-progress pipe:1` and reports the encoded time (ms) as it advances. Rejects
 * with the tail of ffmpeg's log when it fails; `signal` kills it (CancelJob, shutdown).
 */
export function runFfmpeg(
  args: string[],
  options: { ffmpeg?: string; onProgress?: (encodedMs: number) => void; signal?: AbortSignal } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.ffmpeg ?? "ffmpeg", ["-hide_banner", "-nostdin", "-progress", "pipe:1", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    let log = "";
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^out_time_us=(\d+)/.exec(line);
        if (match) options.onProgress?.(Number(match[1]) / 1000);
      }
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`ffmpeg exited with ${signal ?? `code ${code}`}: ${log.trim().split("\n").slice(-3).join(" | ")}`),
        );
    });
  });
}
