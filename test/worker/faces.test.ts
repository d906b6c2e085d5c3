/**
 * GET /api/media/faces through the real Worker in workerd, against DynamoDB Local (rows written with
 * putItem) and the local S3 server (result files written by faces-collect's own writer, so the test
 * also checks the Lambda/Worker contract).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildManifest, prepareChunks } from "../../aws-lambdas/faces-collect/result-files.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_TABLES,
  epochSeconds,
  faceResultChunkKey,
  faceResultManifestKey,
  type FaceChunkLineIndex,
  type FaceCollectCheckpoint,
} from "../../model/index.ts";
import { encodeCursor, jobFingerprint, MAX_CHUNK_READS } from "../../worker/faces/results.ts";
import { putItem } from "./support/dynamodb.ts";
import { call, callWith } from "./support/request.ts";
import { putObject } from "./support/s3.ts";
import { testToken } from "./hls-support.ts";
import { facesScope, jobScope, scopeGrants } from "../../worker/auth/tokens.ts";

const BUCKET = "media-output";
const PREFIX = DEFAULT_ANALYSIS_PREFIX;
const unique = () => crypto.randomUUID().slice(0, 8);

const FACE_DETAIL = {
  BoundingBox: { Width: 0.1, Height: 0.2, Left: 0.4, Top: 0.3 },
  Landmarks: [{ Type: "nose" as const, X: 0.45, Y: 0.41 }],
  Pose: { Roll: -1.2, Yaw: 4.5, Pitch: 2.1 },
  Quality: { Brightness: 72.4, Sharpness: 86.9 },
  Confidence: 99.98,
};
const VIDEO = {
  Codec: "h264",
  DurationMillis: 600_000,
  Format: "QuickTime / MOV",
  FrameRate: 29.97,
  FrameHeight: 720,
  FrameWidth: 1280,
  ColorRange: "LIMITED",
};

interface StoreOptions {
  pageSize?: number;
  chunkSize?: number;
  /** false: no line index, the layout faces-collect wrote before issue 12. */
  indexed?: boolean;
}

/**
 * Faces every 200 ms from 0, stored as faces-collect stores them (pages of `pageSize`, chunks of
 * `chunkSize`, with the manifest's line index unless `indexed` is false).
 */
async function storeResult(jobId: string, count: number, options: StoreOptions = {}) {
  const pageSize = options.pageSize ?? 1000;
  const chunkSize = options.chunkSize ?? 1000;
  const checkpoint: FaceCollectCheckpoint = {
    PagesDone: true,
    Pages: 0,
    FaceCount: 0,
    Chunks: [],
    Restarts: 0,
    VideoMetadata: VIDEO,
  };
  const lineIndexes = new Map<number, FaceChunkLineIndex>();
  for (let start = 0; start < count; start += pageSize) {
    const faces = Array.from({ length: Math.min(pageSize, count - start) }, (_, i) => ({
      Timestamp: (start + i) * 200,
      Face: { ...FACE_DETAIL, Confidence: 90 + ((start + i) % 10) },
    }));
    const prepared = prepareChunks(faces, chunkSize);
    await Promise.all(
      prepared.chunks.map((chunk, i) =>
        putObject(BUCKET, faceResultChunkKey(PREFIX, jobId, checkpoint.Chunks.length + i), chunk.body),
      ),
    );
    prepared.chunks.forEach((chunk, i) => lineIndexes.set(checkpoint.Chunks.length + i, chunk.index));
    checkpoint.Chunks.push(...prepared.chunks.map((c): [number, number, number] => [c.first, c.last, c.count]));
    checkpoint.FaceCount += faces.length;
  }
  const manifest = buildManifest({
    prefix: PREFIX,
    jobId,
    inputFile: "x",
    inputBucket: "media-input",
    checkpoint,
    ...(options.indexed === false ? {} : { lineIndexes }),
    now: Date.now(),
  });
  await putObject(BUCKET, faceResultManifestKey(PREFIX, jobId), JSON.stringify(manifest));
}

async function putRow(inputFile: string, fields: Record<string, unknown>): Promise<void> {
  const now = epochSeconds();
  await putItem(DEFAULT_TABLES.faceAnalysis, {
    InputFile: inputFile,
    InputBucket: "media-input",
    CreationTime: now - 60,
    UpdateTime: now,
    ExpirationTime: now + 86_400,
    ...fields,
  });
}

/**
 * A SUCCEEDED row and its stored result. `as` gives the row another one's job id (the result is
 * still stored in this job's own folder), so two rows can hold the same result in two layouts.
 */
async function succeeded(label: string, count: number, options: StoreOptions & { as?: string } = {}) {
  const folder = `${label}${unique()}${"0".repeat(40)}`;
  const jobId = options.as ?? folder;
  const inputFile = `uploads/${label} ${unique()}.mp4`;
  await storeResult(folder, count, options);
  await putRow(inputFile, {
    JobId: jobId,
    AnalysisStatus: "SUCCEEDED",
    StatusRank: 3,
    FaceCount: count,
    VideoDurationMs: 600_000,
    ResultBucket: BUCKET,
    ResultKey: faceResultManifestKey(PREFIX, folder),
  });
  return { jobId, inputFile };
}

interface FacesBody {
  success: boolean;
  analysis_status: string;
  next_cursor: string | null;
  faces: Array<{ timestamp_ms: number; face: typeof FACE_DETAIL }>;
  [key: string]: unknown;
}

const q = (value: string) => encodeURIComponent(value);

async function getJson(path: string): Promise<{ status: number; body: FacesBody; response: Response }> {
  const response = await call(path);
  return { status: response.status, body: (await response.json()) as FacesBody, response };
}

describe("GET /api/media/faces: status", () => {
  it("a running job returns the status only, with the status endpoint's CORS headers", async () => {
    const inputFile = `uploads/running ${unique()}.mp4`;
    await putRow(inputFile, { JobId: `run${unique()}`, AnalysisStatus: "IN_PROGRESS", StatusRank: 1 });
    const { status, body, response } = await getJson(`/api/media/faces?input_file=${q(inputFile)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, input_file: inputFile, analysis_status: "IN_PROGRESS" });
    expect(body.faces).toBeUndefined();
    expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("reports progress, capacity waits and reasons, never the checkpoint's NextToken", async () => {
    const collecting = `uploads/collecting ${unique()}.mp4`;
    await putRow(collecting, {
      JobId: `col${unique()}`,
      AnalysisStatus: "COLLECTING",
      StatusRank: 2,
      Collect: { NextToken: "SECRET-TOKEN", FaceCount: 3000, Pages: 3, Chunks: [], PagesDone: false, Restarts: 0 },
    });
    const response = await call(`/api/media/faces?input_file=${q(collecting)}`);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ analysis_status: "COLLECTING", faces_collected: 3000 });
    expect(text).not.toContain("SECRET-TOKEN");

    const waiting = `uploads/waiting ${unique()}.mp4`;
    await putRow(waiting, {
      AnalysisStatus: "WAITING_FOR_CAPACITY",
      StatusRank: 0,
      CapacityAttempts: 2,
      StatusMessage: "Waiting",
    });
    expect((await getJson(`/api/media/faces?input_file=${q(waiting)}`)).body).toMatchObject({
      job_id: null,
      analysis_status: "WAITING_FOR_CAPACITY",
      capacity_attempts: 2,
      status_message: "Waiting",
    });

    const skipped = `uploads/skipped ${unique()}.mkv`;
    await putRow(skipped, {
      AnalysisStatus: "SKIPPED",
      StatusRank: 0,
      StatusMessage: "Rekognition Video reads H.264 in MP4/MOV files",
    });
    expect((await getJson(`/api/media/faces?input_file=${q(skipped)}`)).body).toMatchObject({
      analysis_status: "SKIPPED",
      status_message: "Rekognition Video reads H.264 in MP4/MOV files",
    });
  });

  it("unknown or expired uploads and jobs are the seed's 422 'Not found item.'", async () => {
    const expired = `uploads/expired ${unique()}.mp4`;
    await putRow(expired, { AnalysisStatus: "IN_PROGRESS", ExpirationTime: epochSeconds() - 10 });
    for (const path of [
      `/api/media/faces?input_file=${q(expired)}`,
      `/api/media/faces?input_file=nope-${unique()}.mp4`,
      `/api/media/faces?job_id=nope${unique()}`,
    ]) {
      const response = await call(path);
      expect(response.status).toBe(422);
      expect(await response.text()).toBe('{"success": false, "message": "Not found item."}');
    }
  });
});

describe("GET /api/media/faces: parameters", () => {
  it.each([
    ["", 400, "Not found parameter."],
    ["?limit=10", 400, "Not found parameter input_file or job_id."],
    ["?input_file=a.mp4&job_id=abc", 400, "Specify input_file or job_id, not both."],
    ["?job_id=../etc", 422, "Invalid parameter job_id."],
    [`?job_id=${"a".repeat(65)}`, 422, "Invalid parameter job_id."],
    ["?input_file=a%00b.mp4", 422, "Invalid parameter input_file."],
    ["?input_file=a.mp4&limit=0", 400, "Invalid parameter limit."],
    ["?input_file=a.mp4&limit=1001", 400, "Invalid parameter limit."],
    ["?input_file=a.mp4&limit=ten", 400, "Invalid parameter limit."],
    ["?input_file=a.mp4&from_ms=-1", 400, "Invalid parameter from_ms."],
    ["?input_file=a.mp4&from_ms=1.5", 400, "Invalid parameter from_ms."],
    ["?input_file=a.mp4&from_ms=5000&to_ms=5000", 400, "Invalid parameter to_ms."],
    ["?input_file=a.mp4&cursor=not-a-cursor", 400, "Invalid parameter cursor."],
    ["?input_file=a.mp4&cursor=WzEsInh4Il0", 400, "Invalid parameter cursor."],
  ])("%s -> %d %s (before any AWS call)", async (query, status, message) => {
    const response = await call(`/api/media/faces${query}`);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const body = (await response.json()) as { success: boolean; message: string };
    expect(body).toMatchObject({ success: false, message });
  });

  it("refuses a disallowed origin like the status endpoint", async () => {
    const response = await call("/api/media/faces?input_file=a.mp4", { origin: "https://evil.example.com" });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ success: false, message: "ORIGIN is invalid." });
  });
});

describe("GET /api/media/faces: SUCCEEDED results", () => {
  let result: { jobId: string; inputFile: string };
  beforeAll(async () => {
    result = await succeeded("big", 2500);
  });

  it("returns the first 100 faces in time order with a cursor, video metadata and counts", async () => {
    const { status, body } = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      input_file: result.inputFile,
      job_id: result.jobId,
      analysis_status: "SUCCEEDED",
      face_count: 2500,
      video_duration_ms: 600_000,
      video: { codec: "h264", duration_ms: 600_000, frame_width: 1280, frame_height: 720, frame_rate: 29.97 },
      from_ms: null,
      to_ms: null,
      limit: 100,
    });
    expect(body.faces.map((f) => f.timestamp_ms)).toEqual(Array.from({ length: 100 }, (_, i) => i * 200));
    expect(body.faces[3]!.face).toEqual({ ...FACE_DETAIL, Confidence: 93 });
    expect(body.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("the same result is found by the Rekognition job id (ByJobId index)", async () => {
    const byJob = await getJson(`/api/media/faces?job_id=${result.jobId}&limit=5`);
    const byFile = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&limit=5`);
    expect(byJob.status).toBe(200);
    expect(byJob.body).toEqual(byFile.body);
  });

  it.each([1000, 700, 333])("cursors walk every face exactly once with limit=%d", async (limit) => {
    const seen: number[] = [];
    let path = `/api/media/faces?input_file=${q(result.inputFile)}&limit=${limit}`;
    let pages = 0;
    for (;;) {
      const { status, body } = await getJson(path);
      expect(status).toBe(200);
      expect(body.faces.length).toBeLessThanOrEqual(limit);
      seen.push(...body.faces.map((f) => f.timestamp_ms));
      pages++;
      if (body.next_cursor === null) break;
      path = `/api/media/faces?input_file=${q(result.inputFile)}&limit=${limit}&cursor=${body.next_cursor}`;
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i * 200));
    expect(pages).toBe(Math.ceil(2500 / limit));
  });

  it("filters by [from_ms, to_ms), also across a chunk boundary, and cursors keep the window", async () => {
    const small = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&from_ms=1000&to_ms=2000`);
    expect(small.body.faces.map((f) => f.timestamp_ms)).toEqual([1000, 1200, 1400, 1600, 1800]);
    expect(small.body.next_cursor).toBeNull();
    expect(small.body).toMatchObject({ from_ms: 1000, to_ms: 2000 });

    const across = await getJson(
      `/api/media/faces?input_file=${q(result.inputFile)}&from_ms=199001&to_ms=201000&limit=3`,
    );
    expect(across.body.faces.map((f) => f.timestamp_ms)).toEqual([199_200, 199_400, 199_600]);
    const rest = await getJson(
      `/api/media/faces?input_file=${q(result.inputFile)}&limit=100&cursor=${across.body.next_cursor}`,
    );
    expect(rest.body.faces.map((f) => f.timestamp_ms)).toEqual([199_800, 200_000, 200_200, 200_400, 200_600, 200_800]);
    expect(rest.body).toMatchObject({ from_ms: 199_001, to_ms: 201_000, next_cursor: null });

    const late = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&from_ms=499800`);
    expect(late.body.faces.map((f) => f.timestamp_ms)).toEqual([499_800]);
    const beyond = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&from_ms=600000`);
    expect(beyond.body).toMatchObject({ faces: [], next_cursor: null, face_count: 2500 });
  });

  it("a page ending exactly at the window's end has no cursor", async () => {
    const page = await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&from_ms=0&to_ms=1000&limit=5`);
    expect(page.body.faces).toHaveLength(5);
    expect(page.body.next_cursor).toBeNull();
  });

  it("rejects cursors of another result, with another window, or pointing outside the result", async () => {
    const other = await succeeded("other", 10);
    const foreign = (await getJson(`/api/media/faces?input_file=${q(other.inputFile)}&limit=2`)).body.next_cursor!;
    const cases = [
      `cursor=${foreign}`,
      `from_ms=5&cursor=${(await getJson(`/api/media/faces?input_file=${q(result.inputFile)}&from_ms=0&limit=2`)).body.next_cursor}`,
      `cursor=${encodeCursor({ jobFingerprint: "00000000", chunk: 0, line: 0 })}`,
    ];
    for (const query of cases) {
      const response = await call(`/api/media/faces?input_file=${q(result.inputFile)}&${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ success: false, message: "Invalid parameter cursor." });
    }
    const outside = encodeCursor({ jobFingerprint: jobFingerprint(result.jobId), chunk: 7, line: 0 });
    const response = await call(`/api/media/faces?input_file=${q(result.inputFile)}&cursor=${outside}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reason: "it points outside the result" });
  });

  it(`reads at most ${MAX_CHUNK_READS} chunk files per request; the cursor continues`, async () => {
    const fine = await succeeded("fine", 1000, { chunkSize: 100 });
    const first = await getJson(`/api/media/faces?input_file=${q(fine.inputFile)}&limit=1000`);
    expect(first.body.faces).toHaveLength(MAX_CHUNK_READS * 100);
    expect(first.body.next_cursor).not.toBeNull();
    const seen = first.body.faces.map((f) => f.timestamp_ms);
    let cursor = first.body.next_cursor;
    while (cursor) {
      const page = await getJson(`/api/media/faces?input_file=${q(fine.inputFile)}&limit=1000&cursor=${cursor}`);
      seen.push(...page.body.faces.map((f) => f.timestamp_ms));
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i * 200));
  });

  it("results without a line index (written before issue 12) give byte-identical answers", async () => {
    const old = await succeeded("old", 2500, { indexed: false, as: result.jobId });
    const paths = [
      "",
      "&limit=1000",
      "&limit=1000&from_ms=100100",
      "&from_ms=199001&to_ms=201000&limit=3",
      "&from_ms=250100&to_ms=262000&limit=1000",
      "&from_ms=1000&to_ms=2000",
      "&from_ms=0&to_ms=1000&limit=5",
      "&from_ms=499800",
    ];
    for (const path of paths) {
      let query = path;
      for (let page = 0; page < 4; page++) {
        const indexed = await call(`/api/media/faces?input_file=${q(result.inputFile)}${query}`);
        const whole = await call(`/api/media/faces?input_file=${q(old.inputFile)}${query}`);
        expect([indexed.status, whole.status]).toEqual([200, 200]);
        // The rows differ in input_file and in when they were written; everything else is the same.
        const rowFields = /"input_file": "[^"]*"|"(creation|update)_time": \d+/g;
        const text = await indexed.text();
        const expected = (await whole.text()).replace(rowFields, "");
        const differsAt = [...text.replace(rowFields, "")].findIndex((char, i) => char !== expected[i]);
        expect({ query, differsAt, length: text.replace(rowFields, "").length }).toEqual({
          query,
          differsAt: -1,
          length: expected.length,
        });
        const cursor = (JSON.parse(text) as FacesBody).next_cursor;
        if (cursor === null) break;
        query = `${path.replace(/&from_ms=\d+|&to_ms=\d+/g, "")}&cursor=${cursor}`;
      }
    }
  });

  it("an empty result is a SUCCEEDED page with no faces", async () => {
    const empty = await succeeded("empty", 0);
    const { body } = await getJson(`/api/media/faces?input_file=${q(empty.inputFile)}`);
    expect(body).toMatchObject({ analysis_status: "SUCCEEDED", face_count: 0, faces: [], next_cursor: null });
  });

  it("missing result files are 410; a row pointing outside the analysis prefix is 502", async () => {
    const gone = `uploads/gone ${unique()}.mp4`;
    const goneJob = `gone${unique()}`;
    await putRow(gone, {
      JobId: goneJob,
      AnalysisStatus: "SUCCEEDED",
      ResultBucket: BUCKET,
      ResultKey: faceResultManifestKey(PREFIX, goneJob),
    });
    const response = await call(`/api/media/faces?input_file=${q(gone)}`);
    expect(response.status).toBe(410);
    expect(await response.json()).toEqual({ success: false, message: "Result no longer available." });

    const forged = `uploads/forged ${unique()}.mp4`;
    await putRow(forged, {
      JobId: "x",
      AnalysisStatus: "SUCCEEDED",
      ResultBucket: BUCKET,
      ResultKey: "private/keys.json",
    });
    const bad = await call(`/api/media/faces?input_file=${q(forged)}`);
    expect(bad.status).toBe(502);
    expect(await bad.json()).toMatchObject({ success: false, message: "Upstream error." });

    // Another bucket (even with a key under the prefix), or no result key at all: 502 as well.
    for (const [label, fields] of [
      ["elsewhere", { ResultBucket: "media-recordings", ResultKey: faceResultManifestKey(PREFIX, goneJob) }],
      ["keyless", { ResultBucket: BUCKET }],
    ] as const) {
      const inputFile = `uploads/${label} ${unique()}.mp4`;
      await putRow(inputFile, { JobId: "x", AnalysisStatus: "SUCCEEDED", ...fields });
      const answer = await call(`/api/media/faces?input_file=${q(inputFile)}`);
      expect(answer.status, label).toBe(502);
      expect(await answer.json()).toMatchObject({ success: false, message: "Upstream error." });
    }
  });
});

describe("GET /api/media/faces: FACES_POLICY=signed (the default under PLAYBACK_POLICY=signed)", () => {
  let result: { jobId: string; inputFile: string };
  beforeAll(async () => {
    result = await succeeded("signed", 30);
  });
  const signedGet = async (path: string, overrides: Record<string, string> = { PLAYBACK_POLICY: "signed" }) => {
    const response = await callWith({ CACHE_TTL_SECONDS: "0", ...overrides }, path);
    return { status: response.status, response, body: (await response.json()) as FacesBody };
  };

  it("needs a token for that upload; without one it is 401 before any read", async () => {
    const path = `/api/media/faces?input_file=${q(result.inputFile)}`;
    const missing = await signedGet(path);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ success: false, message: "Token is required.", reason: "missing" });
    expect(missing.response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    // An unknown upload answers 401 too: without a token nothing tells whether it exists.
    expect((await signedGet(`/api/media/faces?input_file=uploads%2Fnone-${unique()}.mp4`)).status).toBe(401);
  });

  it("a token for the upload, sent as ?token= or Authorization: Bearer, reads its faces, privately cached", async () => {
    const token = await testToken(facesScope({ by: "input_file", value: result.inputFile }), "play");
    const byQuery = await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}&limit=5&token=${token}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.body.faces).toHaveLength(5);
    expect(byQuery.response.headers.get("cache-control")).toBe("private, max-age=0");
    const byHeader = await callWith(
      { PLAYBACK_POLICY: "signed", CACHE_TTL_SECONDS: "0" },
      `/api/media/faces?input_file=${q(result.inputFile)}&limit=5`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual(byQuery.body);
  });

  it("the token's scope is the lookup: a token for another upload, or for the file when asking by job id, is 403", async () => {
    const other = await testToken(facesScope({ by: "input_file", value: "uploads/other.mp4" }), "play");
    const wrong = await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}&token=${other}`);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ success: false, reason: "wrong-scope" });
    const forFile = await testToken(facesScope({ by: "input_file", value: result.inputFile }), "play");
    expect((await signedGet(`/api/media/faces?job_id=${result.jobId}&token=${forFile}`)).status).toBe(403);
    const forJob = await testToken(facesScope({ by: "job_id", value: result.jobId }), "play");
    expect((await signedGet(`/api/media/faces?job_id=${result.jobId}&limit=5&token=${forJob}`)).status).toBe(200);
    // Playback tokens grant playback only, and a key token is not a play token.
    const playback = await testToken(jobScope(result.jobId), "play");
    expect((await signedGet(`/api/media/faces?job_id=${result.jobId}&token=${playback}`)).status).toBe(403);
    const keyPurpose = await testToken(facesScope({ by: "job_id", value: result.jobId }), "key");
    expect((await signedGet(`/api/media/faces?job_id=${result.jobId}&token=${keyPurpose}`)).status).toBe(403);
  });

  it("faces:* (a backend's own token) grants every result, and nothing else", async () => {
    const all = await testToken("faces:*", "play");
    expect((await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}&token=${all}`)).status).toBe(200);
    expect(scopeGrants("faces:*", jobScope(result.jobId))).toBe(false);
    expect(scopeGrants("faces:*", "rec:cam1")).toBe(false);
  });

  it("FACES_POLICY=public keeps faces open under signed playback; a bad value is a 500 naming the variable", async () => {
    const open = await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}&limit=1`, {
      PLAYBACK_POLICY: "signed",
      FACES_POLICY: "public",
    });
    expect(open.status).toBe(200);
    expect(open.response.headers.get("cache-control")).toBe("public, max-age=0");
    // And the reverse: signed faces under public playback.
    expect(
      (await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}`, { FACES_POLICY: "signed" })).status,
    ).toBe(401);
    const bad = await signedGet(`/api/media/faces?input_file=${q(result.inputFile)}`, { FACES_POLICY: "private" });
    expect(bad.status).toBe(500);
    expect(bad.body).toMatchObject({ success: false, variable: "FACES_POLICY" });
  });
});
