/**
 * The demo page's pure modules (page/src/): tokens from the fragment, progress figures, the
 * multipart plan and resume, job follow-up, playback failure states, recorder windows, faces.
 * The page as a whole runs in Chromium against the local stack in test/e2e/demo-page.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ApiProblem, problemMessage } from "../../page/src/api.ts";
import { faceMoments, facesPath } from "../../page/src/faces.ts";
import { describeFailure } from "../../page/src/failures.ts";
import { formatBytes, formatClock, uploadRate } from "../../page/src/format.ts";
import { followJob, jobFailure, masterPlaylistPath, type JobStatus } from "../../page/src/job.ts";
import { localTimeToIso, windowUrl } from "../../page/src/recordings.ts";
import { heldTokensNote, lacksToken, readTokens, withToken } from "../../page/src/tokens.ts";
import {
  fingerprint,
  partBatches,
  partRange,
  uploadFile,
  type UploadDeps,
  type UploadProgress,
} from "../../page/src/upload.ts";

describe("tokens from the URL fragment", () => {
  it("reads token and upload_token; blank ones are absent", () => {
    expect(readTokens("#token=a.b.c&upload_token=d.e.f")).toEqual({ play: "a.b.c", upload: "d.e.f" });
    expect(readTokens("#token=&upload_token=%20")).toEqual({});
    expect(readTokens("")).toEqual({});
  });

  it("adds ?token= or &token=, encoded, only when there is one", () => {
    expect(withToken("/api/media/vod/j/a.m3u8", "t+1")).toBe("/api/media/vod/j/a.m3u8?token=t%2B1");
    expect(withToken("/x?start=1", "t")).toBe("/x?start=1&token=t");
    expect(withToken("/x", undefined)).toBe("/x");
  });

  it("names the tokens the page holds, and says nothing when it holds none (a public stack needs none)", () => {
    expect(heldTokensNote({ play: "p", upload: "u" })).toBe(
      "This page uses the playback token and the upload token in its URL fragment.",
    );
    expect(heldTokensNote({ upload: "u" })).toBe("This page uses the upload token in its URL fragment.");
    expect(heldTokensNote({})).toBeUndefined();
  });

  it("counts only a 401 for a token the page does not hold as a missing token", () => {
    expect(lacksToken({}, "upload", 401)).toBe(true);
    expect(lacksToken({ play: "p" }, "upload", 401)).toBe(true);
    // A token it holds was refused (invalid, expired): its own message says so.
    expect(lacksToken({ upload: "u" }, "upload", 401)).toBe(false);
    expect(lacksToken({}, "play", 403)).toBe(false);
    expect(lacksToken({}, "play", undefined)).toBe(false);
  });
});

describe("progress figures", () => {
  it("formats bytes and player times", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.5 KB");
    expect(formatBytes(12_345_678)).toBe("12 MB");
    expect(formatClock(65_500)).toBe("1:05.5");
    expect(formatClock(0)).toBe("0:00.0");
  });

  it("measures the upload rate over the recent window only", () => {
    expect(uploadRate([])).toBeUndefined();
    expect(uploadRate([{ at: 0, loaded: 0 }])).toBeUndefined();
    const samples = [
      { at: 0, loaded: 0 },
      { at: 10_000, loaded: 1_000_000 },
      { at: 11_000, loaded: 3_000_000 },
    ];
    expect(uploadRate(samples)).toBe(2_000_000);
  });
});

describe("multipart plan", () => {
  it("batches part numbers by the API's limit of 100 and covers the file exactly", () => {
    expect(partBatches(250).map((batch) => [batch[0], batch.at(-1), batch.length])).toEqual([
      [1, 100, 100],
      [101, 200, 100],
      [201, 250, 50],
    ]);
    expect(partRange(1, 5, 12)).toEqual([0, 5]);
    expect(partRange(3, 5, 12)).toEqual([10, 12]);
  });
});

/** An uploads API and S3 in memory: records calls and what was PUT. */
function fakeStorage(created: unknown, uploaded: Array<{ part_number: number; etag: string; size: number }> = []) {
  const calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  const puts: Array<{ url: string; bytes: number }> = [];
  const memory = new Map<string, string>();
  const deps: UploadDeps = {
    post: async <T>(path: string, body: unknown) => {
      calls.push({ path, body: body as Record<string, unknown> });
      if (path === "/api/media/uploads") return created as T;
      if (path === "/api/media/uploads/parts") {
        const numbers = (body as { part_numbers: number[] }).part_numbers;
        return { parts: numbers.map((n) => ({ part_number: n, method: "PUT", url: `s3://part/${n}` })), uploaded } as T;
      }
      return { input_file: "uploads/clip.mp4", status_url: "/x" } as T;
    },
    put: async (url, body, _headers, onLoaded) => {
      onLoaded(body.size);
      puts.push({ url, bytes: body.size });
      return `"etag-${url.split("/").pop()}"`;
    },
    store: {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    },
  };
  return { deps, calls, puts, memory };
}

const file = {
  name: "clip.mp4",
  type: "video/mp4",
  size: 12,
  lastModified: 1,
  slice: (a: number, b: number) => new Blob([new Uint8Array(b - a)]),
};

describe("uploadFile", () => {
  it("multipart: presigns the missing parts, PUTs each range, completes with every ETag in order", async () => {
    const created = {
      input_file: "uploads/clip.mp4",
      expires_at: "",
      upload: { kind: "multipart", upload_id: "U", part_size: 5, part_count: 3 },
    };
    const { deps, calls, puts, memory } = fakeStorage(created);
    const progress: UploadProgress[] = [];
    expect(await uploadFile(file, deps, (p) => progress.push(p))).toBe("uploads/clip.mp4");
    expect(puts.map((put) => put.bytes).sort()).toEqual([2, 5, 5]);
    const complete = calls.find((call) => call.path === "/api/media/uploads/complete")!;
    expect(complete.body.parts).toEqual([1, 2, 3].map((n) => ({ part_number: n, etag: `"etag-${n}"` })));
    expect(progress.at(-1)).toMatchObject({ loaded: 12, total: 12, partsDone: 3, partCount: 3 });
    expect(memory.size).toBe(0); // forgotten once complete
  });

  it("resumes a remembered upload: parts S3 already holds (with the right size) are not sent again", async () => {
    const { deps, calls, puts, memory } = fakeStorage(undefined, [
      { part_number: 1, etag: '"old-1"', size: 5 },
      { part_number: 2, etag: '"short"', size: 3 }, // a torn part: sent again
    ]);
    memory.set(
      fingerprint(file),
      JSON.stringify({ input_file: "uploads/clip.mp4", upload_id: "U", part_size: 5, part_count: 3 }),
    );
    await uploadFile(file, deps, () => undefined);
    expect(calls.map((call) => call.path)).not.toContain("/api/media/uploads");
    expect(puts.map((put) => put.url).sort()).toEqual(["s3://part/2", "s3://part/3"]);
    const complete = calls.find((call) => call.path === "/api/media/uploads/complete")!;
    expect((complete.body.parts as Array<{ etag: string }>)[0]!.etag).toBe('"old-1"');
  });

  it("single: one PUT with the returned headers; a refusal surfaces as the API's problem", async () => {
    const created = {
      input_file: "k",
      expires_at: "",
      upload: { kind: "single", method: "PUT", url: "s3://one", headers: { "content-type": "video/mp4" } },
    };
    const { deps, puts } = fakeStorage(created);
    expect(await uploadFile(file, deps, () => undefined)).toBe("k");
    expect(puts).toEqual([{ url: "s3://one", bytes: 12 }]);
    const refusing: UploadDeps = { ...deps, post: async () => Promise.reject(new ApiProblem(415, "Not a video.")) };
    await expect(uploadFile(file, refusing, () => undefined)).rejects.toMatchObject({
      status: 415,
      message: "Not a video.",
    });
  });
});

describe("following a job", () => {
  it("waits through 422 for the job id, then polls status until terminal", async () => {
    const answers: Array<() => unknown> = [
      () => Promise.reject(new ApiProblem(422, "Not found item.")),
      () => ({ job_id: "1-abc" }),
      () => ({ success: true, job_status: "PROGRESSING", progress_rate: 40 }),
      () => ({ success: true, job_status: "COMPLETE", progress_rate: 100, playlists: { ".m3u8": "My clip.m3u8" } }),
    ];
    const seen: string[] = [];
    const result = await followJob("uploads/My clip.mp4", {
      getJson: async <T>(path: string) => {
        seen.push(path);
        return (await answers.shift()!()) as T;
      },
      wait: async () => undefined,
    });
    expect(seen[0]).toBe("/api/media/job_id?input_file=uploads%2FMy%20clip.mp4");
    expect(seen[2]).toBe("/api/media/status?job_id=1-abc");
    expect(masterPlaylistPath(result.jobId, result.status)).toBe("/api/media/vod/1-abc/My%20clip.m3u8");
  });

  it("a lookup failure other than 422 stops at once", async () => {
    const deps = {
      getJson: () => Promise.reject(new ApiProblem(503, "Service busy, retry later.")),
      wait: async () => undefined,
    };
    await expect(followJob("k", deps)).rejects.toMatchObject({ status: 503 });
  });

  it("an ERROR job reads as MediaConvert's code and message", () => {
    const status: JobStatus = {
      success: true,
      job_status: "ERROR",
      error_code: 1010,
      error_message: "Unsupported codec",
    };
    expect(jobFailure(status)).toBe("error 1010: Unsupported codec");
  });
});

describe("playback failure states", () => {
  const body = (message: string) => JSON.stringify({ success: false, message });
  it.each([
    ["manifestLoadError", 401, "Token is invalid.", "refused", "Playback refused (401): Token is invalid."],
    [
      "keyLoadError",
      403,
      "Token does not grant this resource.",
      "key-refused",
      "Key refused (403): Token does not grant this resource.",
    ],
    ["manifestLoadError", 404, "No recordings in this window.", "missing", "Not found: No recordings in this window."],
  ])("%s %i", (details, status, message, kind, text) => {
    expect(describeFailure(details, status, body(message))).toEqual({ kind, status, message: text });
  });

  it("never shows a non-JSON body", () => {
    expect(describeFailure("manifestLoadError", 502, "<html>proxy</html>").message).toBe(
      "The server answered 502: The server answered 502.",
    );
    expect(problemMessage(0, "")).toBe("The server could not be reached.");
    expect(describeFailure("bufferAppendError", undefined, "").kind).toBe("media");
  });
});

describe("recorder window picker", () => {
  it("sends local times as UTC ISO 8601, the stream, and no end when live", () => {
    const start = "2024-01-02T12:00";
    const iso = new Date(start).toISOString().replace(".000Z", "Z");
    expect(localTimeToIso(start)).toBe(iso);
    const fixed = windowUrl({ stream: " cam1 ", start, end: "2024-01-02T12:10:30", live: false }, "tok");
    expect(fixed).toEqual({
      url: `/api/media/recordings/playlist.m3u8?stream=cam1&start=${encodeURIComponent(iso)}&end=${encodeURIComponent(localTimeToIso("2024-01-02T12:10:30")!)}&token=tok`,
    });
    const live = windowUrl({ stream: "", start, end: "", live: true }, undefined);
    expect(live).toEqual({ url: `/api/media/recordings/playlist.m3u8?start=${encodeURIComponent(iso)}` });
  });

  it("says what is wrong instead of asking the API", () => {
    expect(windowUrl({ stream: "", start: "", end: "", live: true }, undefined)).toEqual({
      problem: "Choose a start time.",
    });
    expect(
      windowUrl({ stream: "", start: "2024-01-02T12:00", end: "2024-01-02T11:00", live: false }, undefined),
    ).toEqual({
      problem: "The end must be after the start.",
    });
  });
});

describe("faces", () => {
  it("groups faces by time, in order, and pages by cursor", () => {
    expect(faceMoments([{ timestamp_ms: 1000 }, { timestamp_ms: 500 }, { timestamp_ms: 1000 }])).toEqual([
      { ms: 500, count: 1 },
      { ms: 1000, count: 2 },
    ]);
    expect(facesPath("a b.mp4", "c1")).toBe("/api/media/faces?input_file=a+b.mp4&limit=1000&cursor=c1");
  });
});
