/**
 * The recorder's pure parts (local/recorder/): segment names and keys the Worker accepts, ffmpeg's
 * segment list, the command line, --gap/--late selection, the backfill plan, retry and backlog
 * policy, and the ffmpeg arguments that make segments of exactly the configured length.
 */
import { describe, expect, it } from "vitest";
import {
  backlogOverflow,
  diskReserveBytes,
  isRetryableUploadError,
  retryDelayMs,
} from "../../local/recorder/backlog.ts";
import { describeError, formatEvent } from "../../local/recorder/events.ts";
import { ffmpegArgs, ffmpegFailure, isLiveSource, redactInput } from "../../local/recorder/ffmpeg.ts";
import { parseSegmentListLine, segmentKey, segmentStartTime, streamKeyPrefix } from "../../local/recorder/naming.ts";
import { parseDuration, parseEvery, parseRecorderArguments, parseSize } from "../../local/recorder/options.ts";
import { backfillPlan, segmentFate } from "../../local/recorder/plan.ts";
import { shiftTimestamps } from "../../local/recorder/timestamps.ts";
import { parseSegmentName, SEGMENT_NAME_PATTERN } from "../../worker/hls/recordings.ts";

const T = Date.UTC(2026, 0, 2, 3, 0, 0) / 1000;

describe("segment names and keys", () => {
  it("names a segment by its UTC start as the Worker parses it, under <prefix>/<stream>/", () => {
    const key = segmentKey("movie", "cam1", T + 30.9);
    expect(key).toBe("movie/cam1/20260102T030030Z.ts");
    const name = key.split("/").at(-1)!;
    expect(SEGMENT_NAME_PATTERN.test(name)).toBe(true);
    expect(parseSegmentName(name)).toBe(T + 30);
    expect(streamKeyPrefix("/movie/", "site/cam2")).toBe("movie/site/cam2/");
    expect(segmentKey("", "cam1", T)).toBe("cam1/20260102T030000Z.ts");
  });

  it("reads ffmpeg's CSV segment list and rejects anything else", () => {
    expect(parseSegmentListLine("segment-000000001.ts,2.080000,4.080000")).toEqual({
      file: "segment-000000001.ts",
      start: 2.08,
      end: 4.08,
    });
    expect(parseSegmentListLine('"a,""b"".ts",0.000000,2.000000')?.file).toBe('a,"b".ts');
    for (const line of ["", "x.ts", "x.ts,1", "x.ts,4,2", ",0,1", "frame=  25 fps=0.0"]) {
      expect(parseSegmentListLine(line)).toBeUndefined();
    }
  });

  it("starts segments at the recording start plus their media offset from the first segment", () => {
    const entry = (start: number) => ({ file: "s.ts", start, end: start + 2 });
    expect(segmentStartTime(T, 1.4, entry(1.4))).toBe(T);
    expect(segmentStartTime(T, 1.4, entry(3.4))).toBe(T + 2);
    // 0.1 + 0.2 style float error must not name a segment one second early.
    expect(segmentStartTime(T, 0.1, entry(2.1 + 0.2 - 0.2))).toBe(T + 2);
  });
});

describe("command line", () => {
  const env = { RECORDING_SEGMENT_SECONDS: "10" };

  it("parses durations, sizes and <every>[:<length>]", () => {
    expect([parseDuration("7d"), parseDuration("90"), parseDuration("1.5h"), parseDuration("1w")]).toEqual([
      604_800, 90, 5400, 604_800,
    ]);
    for (const bad of ["", "0", "-1d", "7 days", "d"]) expect(parseDuration(bad)).toBeUndefined();
    expect([parseSize("500m"), parseSize("2G"), parseSize("1024"), parseSize("1KiB")]).toEqual([
      500 * 2 ** 20,
      2 * 2 ** 30,
      1024,
      1024,
    ]);
    expect(parseEvery("1h:5m", 30)).toEqual({ everySeconds: 3600, lengthSeconds: 300 });
    expect(parseEvery("10m", 30)).toEqual({ everySeconds: 600, lengthSeconds: 30 });
    expect(parseEvery("10s", 30)).toBeUndefined(); // shorter than a segment
    expect(parseEvery("1h:5m:2", 30)).toBeUndefined();
  });

  it("reads the input, the stream and the settings the Worker reads", () => {
    const options = parseRecorderArguments(
      ["rtsp://cam.local/live", "--stream", "site/cam1", "--gap=1h:5m", "--late", "10m:1m", "--aws"],
      { ...env, RECORDINGS_BUCKET: "my-recordings", RECORDINGS_PREFIX: "archive" },
    );
    expect(options).toMatchObject({
      input: "rtsp://cam.local/live",
      stream: "site/cam1",
      bucket: "my-recordings",
      prefix: "archive",
      segmentSeconds: 10,
      gap: { everySeconds: 3600, lengthSeconds: 300 },
      late: { everySeconds: 600, lengthSeconds: 60 },
      aws: true,
      backlogBytes: 2 ** 30,
      concurrency: 8,
    });
    expect(parseRecorderArguments(["testsrc", "--stream", "x"], {})).toMatchObject({
      bucket: "media-recordings",
      prefix: "movie",
      segmentSeconds: 30,
      aws: false,
    });
  });

  it.each([
    [["testsrc"], /--stream <name> is required/],
    [["testsrc", "--stream", "../etc"], /--stream "\.\.\/etc"/],
    [["a", "b", "--stream", "x"], /exactly one input/],
    [["testsrc", "--stream", "x", "--backfill", "a week"], /--backfill "a week" is not a duration/],
    [["testsrc", "--stream", "x", "--bogus"], /Unknown option --bogus/],
    [["testsrc", "--stream"], /--stream needs a value/],
    [["testsrc", "--stream", "x", "--backfill", "1d", "--duration", "1m"], /--duration is for live/],
  ])("refuses %j with a message naming the problem", (argv, message) => {
    expect(() => parseRecorderArguments(argv, env)).toThrow(message);
  });

  it("refuses settings the Worker would refuse, naming the variable", () => {
    const args = ["testsrc", "--stream", "x"];
    expect(() => parseRecorderArguments(args, { RECORDING_SEGMENT_SECONDS: "0" })).toThrow(/RECORDING_SEGMENT_SECONDS/);
    expect(() => parseRecorderArguments(args, { RECORDING_SEGMENT_SECONDS: "2.5" })).toThrow(/whole number/);
    expect(() => parseRecorderArguments(args, { RECORDINGS_BUCKET: "Bad_Bucket" })).toThrow(/RECORDINGS_BUCKET/);
    expect(() => parseRecorderArguments(args, { RECORDINGS_PREFIX: "a/../b" })).toThrow(/RECORDINGS_PREFIX/);
  });
});

describe("--gap, --late and the backfill plan", () => {
  const gap = { everySeconds: 3600, lengthSeconds: 300 };
  const late = { everySeconds: 600, lengthSeconds: 120 };

  it("leaves out the first <length> of every period and delays the segment in the middle of each", () => {
    expect(segmentFate(T, 30, gap)).toEqual({ kind: "gap" });
    expect(segmentFate(T + 270, 30, gap)).toEqual({ kind: "gap" });
    expect(segmentFate(T + 300, 30, gap)).toEqual({ kind: "upload" });
    expect(segmentFate(T + 300, 30, undefined, late)).toEqual({ kind: "late", delaySeconds: 120 });
    expect(segmentFate(T + 330, 30, undefined, late)).toEqual({ kind: "upload" });
    expect(segmentFate(T, 30)).toEqual({ kind: "upload" });
    // A gap wins over late: the segment is not there at all.
    expect(segmentFate(T + 300, 30, { everySeconds: 600, lengthSeconds: 600 }, late)).toEqual({ kind: "gap" });
  });

  it("plans whole segments ending at the last boundary before now, late ones last", () => {
    const plan = backfillPlan({ nowSeconds: T + 7200 + 45, durationSeconds: 7200, segmentSeconds: 30, gap, late });
    const all = [...plan.uploads.map((u) => u.start), ...plan.gaps].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 240 }, (_, i) => T + 30 + i * 30));
    // 03:00:30-03:04:30 (9), 04:00-04:04:30 (10) and 05:00 (1): the archive is 03:00:30 to 05:00:30.
    expect(plan.gaps).toHaveLength(20);
    expect(plan.gaps[0]).toBe(T + 30);
    const lateStarts = plan.uploads.filter((u) => u.late).map((u) => u.start);
    expect(lateStarts).toEqual(all.filter((start) => (start - T) % 600 === 300));
    expect(plan.uploads.slice(-lateStarts.length).every((u) => u.late)).toBe(true);
    const onTime = plan.uploads.filter((u) => !u.late).map((u) => u.start);
    expect(onTime).toEqual([...onTime].sort((a, b) => a - b));
  });
});

describe("retries and the backlog", () => {
  it("backs off from 0.5 s to at most 30 s with jitter in the upper half", () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(attempt, 1))).toEqual([500, 1000, 2000]);
    expect(retryDelayMs(1, 0)).toBe(250);
    expect(retryDelayMs(40, 1)).toBe(30_000);
  });

  it("retries what may pass, not what never will", () => {
    const http = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } }); // prettier-ignore
    expect(isRetryableUploadError(http("SlowDown", 503))).toBe(true);
    expect(isRetryableUploadError(http("InternalError", 500))).toBe(true);
    expect(isRetryableUploadError(http("TooManyRequests", 429))).toBe(true);
    expect(isRetryableUploadError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(true);
    expect(isRetryableUploadError(http("AccessDenied", 403))).toBe(false);
    expect(isRetryableUploadError(http("NoSuchBucket", 404))).toBe(false);
    expect(isRetryableUploadError(Object.assign(new Error("no profile"), { name: "CredentialsProviderError" }))).toBe(
      false,
    );
    expect(isRetryableUploadError(new Error("Region is missing"))).toBe(false);
    expect(describeError(http("SlowDown", 503))).toBe("SlowDown, HTTP 503");
  });

  it("drops the oldest waiting segments only past the bound, never the newest", () => {
    expect(backlogOverflow([10, 10, 10], 10, 40)).toBe(0);
    expect(backlogOverflow([10, 10, 10], 15, 40)).toBe(1);
    expect(backlogOverflow([10, 20, 10], 35, 40)).toBe(3);
    expect(backlogOverflow([], 100, 40)).toBe(0);
    expect(diskReserveBytes(1000)).toBe(64 * 2 ** 20);
    expect(diskReserveBytes(100 * 2 ** 20)).toBe(400 * 2 ** 20);
  });

  it("prints one line per uploaded segment with its size and upload time", () => {
    expect(
      formatEvent({ type: "uploaded", key: "movie/c/x.ts", bytes: 1_572_864, ms: 84, attempts: 3, late: true }),
    ).toBe("uploaded movie/c/x.ts 1.50 MiB in 84 ms (3 attempts, late)");
  });
});

describe("ffmpeg arguments", () => {
  const base = { segmentSeconds: 30, outDir: "/w", clockStart: T };

  it("cuts H.264/AAC MPEG-TS segments on key frames forced onto every boundary, listed as they close", () => {
    const args = ffmpegArgs({ ...base, input: "testsrc", realtime: true, durationSeconds: 6 }).join(" ");
    expect(args).toContain("-c:v libx264");
    expect(args).toContain("-c:a aac");
    expect(args).toContain("-force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0");
    expect(args).toContain("-f segment -segment_time 30 -segment_format mpegts");
    expect(args).toContain("-segment_format_options mpegts_flags=+initial_discontinuity");
    expect(args).toContain("-segment_list pipe:1 -segment_list_type csv");
    expect(args).toContain("-re -f lavfi -i testsrc2");
    expect(args).toContain("-t 6");
    expect(ffmpegArgs({ ...base, segmentSeconds: 15, input: "x.mp4", realtime: false }).join(" ")).toContain(
      "n_forced*1)",
    );
  });

  it("never shows a camera's password: not in what is printed, not in ffmpeg's errors", () => {
    const input = "rtsp://admin:s3cr%40t@192.0.2.10:554/stream1";
    expect(redactInput(`Recording ${input}`, input)).toBe("Recording rtsp://admin:***@192.0.2.10:554/stream1");
    const failure = ffmpegFailure(
      { code: 1, signal: null, stderr: `[rtsp @ 0x1] ${input}: 401 Unauthorized (s3cr@t)` },
      input,
    );
    expect(failure.message).not.toMatch(/s3cr/);
    expect(failure.message).toContain("rtsp://admin:***@192.0.2.10:554/stream1: 401 Unauthorized");
    expect(redactInput("x", "testsrc")).toBe("x");
    expect(redactInput("rtsp://cam/1 failed", "rtsp://cam/1")).toBe("rtsp://cam/1 failed");
  });

  it("paces and loops files when live, never cameras", () => {
    expect(isLiveSource("rtsp://cam/1")).toBe(true);
    expect(isLiveSource("/dev/video0")).toBe(true);
    expect(isLiveSource("clip.mp4")).toBe(false);
    const file = ffmpegArgs({ ...base, input: "clip.mp4", realtime: true }).join(" ");
    expect(file).toContain("-stream_loop -1 -re -i clip.mp4");
    const camera = ffmpegArgs({ ...base, input: "rtsp://cam/1", realtime: true }).join(" ");
    expect(camera).toContain("-rtsp_transport tcp -i rtsp://cam/1");
    expect(camera).not.toContain("-re");
  });
});

describe("moving a segment in time (backfill copies)", () => {
  /** A 5-byte PES timestamp with prefix `prefix` (ISO/IEC 13818-1 §2.4.3.7). */
  const pesTime = (prefix: number, value: number) => [
    (prefix << 4) | (Math.floor(value / 2 ** 30) << 1) | 1,
    Math.floor(value / 2 ** 22) & 0xff,
    ((Math.floor(value / 2 ** 15) & 0x7f) << 1) | 1,
    Math.floor(value / 2 ** 7) & 0xff,
    ((value & 0x7f) << 1) | 1,
  ];
  const pcr = (base: number) => [
    Math.floor(base / 2 ** 25) & 0xff,
    Math.floor(base / 2 ** 17) & 0xff,
    Math.floor(base / 2 ** 9) & 0xff,
    Math.floor(base / 2) & 0xff,
    ((base % 2) << 7) | 0x7e,
    0x00,
  ];
  /** One packet: adaptation field with a PCR, then the start of a video PES with PTS and DTS. */
  const packet = (pts: number, dts: number, clock: number) => {
    const bytes = [0x47, 0x41, 0x00, 0x30, 7, 0x10, ...pcr(clock), 0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10,
      ...pesTime(3, pts), ...pesTime(1, dts)]; // prettier-ignore
    return [...bytes, ...new Array<number>(188 - bytes.length).fill(0xff)];
  };
  const payloadOnly = [0x47, 0x01, 0x00, 0x10, ...new Array<number>(184).fill(0xab)];

  it("adds the shift to PTS, DTS and PCR, wrapping at 2^33, and touches nothing else", () => {
    const segment = Uint8Array.from([...packet(126_000, 123_000, 120_000), ...payloadOnly]);
    const shifted = shiftTimestamps(segment, 90_000 * 30);
    expect(Array.from(shifted)).toEqual([...packet(2_826_000, 2_823_000, 2_820_000), ...payloadOnly]);
    const wrapped = shiftTimestamps(Uint8Array.from(packet(2 ** 33 - 1000, 2 ** 33 - 3000, 2 ** 33 - 5000)), 4000);
    expect(Array.from(wrapped)).toEqual(packet(3000, 1000, 2 ** 33 - 1000));
    expect(Array.from(shiftTimestamps(shifted, -90_000 * 30))).toEqual(Array.from(segment));
    expect(Array.from(segment.subarray(0, 4))).toEqual([0x47, 0x41, 0x00, 0x30]); // the input is not modified
  });

  it("refuses what is not MPEG-TS", () => {
    expect(() => shiftTimestamps(new Uint8Array(100), 1)).toThrow(/multiple of 188/);
    expect(() => shiftTimestamps(new Uint8Array(188), 1)).toThrow(/no sync byte/);
  });
});
