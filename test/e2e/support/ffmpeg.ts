/**
 * ffmpeg for the end-to-end player tests: the test source (a 12-second 320x180 H.264/AAC clip with
 * a key frame every 2 s, so 2-second HLS segments are exact) and a runner that reports the exit
 * code and stderr instead of throwing.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FfmpegResult {
  code: number;
  stderr: string;
}

/** Input and encoder options of the test clip; add the output options and file. */
export const TEST_SOURCE = [
  "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
  "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
  "-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
  "-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
]; // prettier-ignore

/** Runs ffmpeg (no banner, no stdin); a failure is returned as a non-zero code with its stderr. */
export async function ffmpeg(args: string[]): Promise<FfmpegResult> {
  try {
    const { stderr } = await run("ffmpeg", ["-hide_banner", "-nostdin", ...args], {
      timeout: 60_000,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stderr };
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: typeof failure.code === "number" ? failure.code : 1, stderr: failure.stderr ?? String(error) };
  }
}

/** Fails with the install command when ffmpeg is missing (.ci/run installs it). */
export async function requireFfmpeg(): Promise<void> {
  try {
    await run("ffmpeg", ["-version"]);
  } catch {
    throw new Error("ffmpeg is not installed: `apt-get install -y ffmpeg` (.ci/run installs it)");
  }
}

/**
 * Encodes the test clip to AES-128 HLS with 2-second segments as ffmpeg writes it with
 * `-hls_key_info_file` (key URI on its first line, key file on its second): one explicit
 * `IV=0x0...` on every segment; `<name>.m3u8` and `<name>_00000.ts`, ... in `dir`.
 */
export function encodeEncryptedHls(dir: string, name: string, keyInfoFile: string): Promise<FfmpegResult> {
  return ffmpeg([...TEST_SOURCE, "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_key_info_file", keyInfoFile,
    "-hls_segment_filename", join(dir, `${name}_%05d.ts`), join(dir, `${name}.m3u8`)]); // prettier-ignore
}
