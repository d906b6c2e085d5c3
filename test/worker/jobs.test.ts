/**
 * The seed-compatible lookups, through the real Worker in workerd against DynamoDB Local.
 * Expected bodies are byte-for-byte what the seed's Python (json.dumps defaults) returns.
 */
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { deleteItem, putItem } from "./support/dynamodb.ts";
import { call, callWith } from "./support/request.ts";

const unique = () => crypto.randomUUID().slice(0, 8);

async function seedJob(jobId: string, status: Record<string, unknown>, inputFile?: string): Promise<void> {
  const now = epochSeconds();
  await putItem(DEFAULT_TABLES.jobIdToStatus, {
    JobId: jobId,
    CreationTime: now,
    ExpirationTime: now + 86400,
    ...status,
  });
  if (inputFile) {
    await putItem(DEFAULT_TABLES.inputFileToJobId, {
      InputFile: inputFile,
      JobId: jobId,
      CreationTime: now,
      ExpirationTime: now + 86400,
    });
  }
}

describe("GET /api/media/job_id (seed test event translated to HTTP)", () => {
  it("returns the latest job id for an upload, from the seed's own test event", async () => {
    const jobId = `c123456789012-${unique()}`;
    const inputFile = `Big Buck Bunny ${unique()}.mp4`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 0 }, inputFile);
    // Seed event: querystring "input_file=Big+Buck+Bunny.mp4", origin https://app.nightonly.com
    const response = await call(`/api/media/job_id?input_file=${inputFile.replace(/ /g, "+")}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(await response.text()).toBe(`{"success": true, "job_id": "${jobId}"}`);
  });

  it("decodes percent-escapes and plus signs like parse_qs, including in the parameter name", async () => {
    const jobId = `job-${unique()}`;
    const inputFile = `dir/a b+c%2B(ü) ${unique()}.mp4`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 0 }, inputFile);
    const encoded = encodeURIComponent(inputFile);
    const response = await call(`/api/media/job_id?input%5Ffile=${encoded}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, job_id: jobId });
  });

  it("uses the first of repeated parameters and ignores blank ones", async () => {
    const jobId = `job-${unique()}`;
    const inputFile = `first-${unique()}.mp4`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 0 }, inputFile);
    const response = await call(`/api/media/job_id?input_file=&input_file=${inputFile}&input_file=second.mp4`);
    expect(await response.json()).toEqual({ success: true, job_id: jobId });
  });

  it("answers the seed's 422 'Not found item.' for an unknown upload", async () => {
    const response = await call(`/api/media/job_id?input_file=never-uploaded-${unique()}.mp4`);
    expect(response.status).toBe(422);
    expect(await response.text()).toBe('{"success": false, "message": "Not found item."}');
  });

  it("treats an item whose TTL has passed as not found (DynamoDB deletes it up to 2 days late)", async () => {
    const inputFile = `expired-${unique()}.mp4`;
    await putItem(DEFAULT_TABLES.inputFileToJobId, {
      InputFile: inputFile,
      JobId: "old-job",
      CreationTime: epochSeconds() - 90_000,
      ExpirationTime: epochSeconds() - 10,
    });
    const response = await call(`/api/media/job_id?input_file=${inputFile}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ success: false, message: "Not found item." });
  });
});

describe("GET /api/media/status", () => {
  it("returns a progressing job like the seed (progress as int)", async () => {
    const jobId = `123456789012-${unique()}`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 70 });
    const response = await call(`/api/media/status?job_id=${jobId}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"success": true, "job_status": "PROGRESSING", "progress_rate": 70}');
  });

  it("returns a COMPLETE job with duration, size, output and playlists in the seed's key order", async () => {
    const jobId = `123456789012-${unique()}`;
    await seedJob(jobId, {
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      DurationMs: 596458,
      WidthPx: 1280,
      HeightPx: 720,
      OutputPath: "Big Buck Bunny.test.mp4_20240101000000/",
      Playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
    });
    const response = await call(`/api/media/status?job_id=${jobId}`);
    expect(await response.text()).toBe(
      '{"success": true, "job_status": "COMPLETE", "progress_rate": 100, "duration_ms": 596458, "width_px": 1280, ' +
        '"height_px": 720, "output_path": "Big Buck Bunny.test.mp4_20240101000000/", ' +
        '"playlists": {".m3u8": "Big Buck Bunny.test.m3u8"}}',
    );
  });

  it("returns an ERROR job with code and message; non-ASCII is escaped like json.dumps", async () => {
    const jobId = `123456789012-${unique()}`;
    await seedJob(jobId, {
      JobStatus: "ERROR",
      ProgressRate: 100,
      ErrorCode: 1010,
      ErrorMessage: "Unable to open input file [動画.mp4]",
    });
    const response = await call(`/api/media/status?job_id=${jobId}`);
    expect(await response.text()).toBe(
      '{"success": true, "job_status": "ERROR", "progress_rate": 100, "error_code": 1010, ' +
        '"error_message": "Unable to open input file [\\u52d5\\u753b.mp4]"}',
    );
  });

  it("answers a just-submitted job at once", async () => {
    const jobId = `123456789012-${unique()}`;
    await seedJob(jobId, { JobStatus: "SUBMITTED", ProgressRate: 0 });
    const response = await call(`/api/media/status?job_id=${jobId}`);
    expect(await response.json()).toEqual({ success: true, job_status: "SUBMITTED", progress_rate: 0 });
  });
});

describe("parameter errors (the seed's messages, before any AWS call)", () => {
  // The DynamoDB endpoint points at a closed port: any AWS call would turn into a 502.
  const offline = { DYNAMODB_ENDPOINT: "http://127.0.0.1:9" };

  it.each([
    ["/api/media/status", 400, "Not found parameter."],
    ["/api/media/status?", 400, "Not found parameter."],
    ["/api/media/status?job_id=", 400, "Not found parameter."],
    ["/api/media/status?job_id", 400, "Not found parameter."],
    ["/api/media/status?jobid=1", 400, "Not found parameter job_id."],
    ["/api/media/status?job_id=&other=1", 400, "Not found parameter job_id."],
    ["/api/media/status?job_id=;x=1", 422, "Not found item."],
    ["/api/media/job_id", 400, "Not found parameter."],
    ["/api/media/job_id?file=a.mp4", 400, "Not found parameter input_file."],
  ])("%s -> %i %s", async (path, status, message) => {
    const response = await callWith(status === 422 ? {} : offline, path);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ success: false, message });
  });

  it("refuses a key longer than DynamoDB's 2048-byte limit with 422, without calling DynamoDB", async () => {
    const response = await callWith(offline, `/api/media/status?job_id=${"é".repeat(1025)}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      success: false,
      message: "Invalid parameter job_id.",
      reason: "longer than 2048 bytes",
    });
  });

  it("accepts a key of exactly 2048 bytes (reaches DynamoDB)", async () => {
    const response = await call(`/api/media/status?job_id=${"a".repeat(2048)}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ success: false, message: "Not found item." });
  });

  it.each(["%00", "%0A", "%1F", "%7F", "%C2%85"])("refuses control character %s with 422", async (escape) => {
    const response = await callWith(offline, `/api/media/job_id?input_file=a${escape}b.mp4`);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ message: "Invalid parameter input_file." });
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])("%s answers 404 'No route matches.' like the seed", async (method) => {
    const response = await call("/api/media/status?job_id=1", { method });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('{"success": false, "message": "No route matches."}');
  });

  it("answers unknown paths with 404 JSON", async () => {
    const response = await call("/api/media/nothing-here");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ success: false, message: "No route matches." });
  });
});

describe("edge cache", () => {
  it("serves a repeated lookup from the cache without calling DynamoDB, with CORS headers per request", async () => {
    const jobId = `cached-${unique()}`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 10 });
    // An hour's TTL rather than wrangler.toml's 5 s: the second lookup is a hit however slow the machine.
    const cachedForAnHour = { CACHE_TTL_SECONDS: "3600" };
    const first = await callWith(cachedForAnHour, `/api/media/status?job_id=${jobId}`, {
      origin: "https://a.nightonly.com",
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe("https://a.nightonly.com");
    await first.text();

    // Remove the item: only the cache can still answer.
    await deleteItem(DEFAULT_TABLES.jobIdToStatus, "JobId", jobId);
    const second = await callWith(cachedForAnHour, `/api/media/status?job_id=${jobId}`, {
      origin: "https://b.nightonly.com",
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ success: true, job_status: "PROGRESSING", progress_rate: 10 });
    expect(second.headers.get("access-control-allow-origin")).toBe("https://b.nightonly.com");
    expect(second.headers.get("vary")).toBe("Origin");

    // Without the cache the item is gone.
    const uncached = await callWith({ CACHE_TTL_SECONDS: "0" }, `/api/media/status?job_id=${jobId}`);
    expect(uncached.status).toBe(422);
  });

  it("does not cache misses: an item written after a miss is found at once", async () => {
    const jobId = `late-${unique()}`;
    const miss = await call(`/api/media/status?job_id=${jobId}`);
    expect(miss.status).toBe(422);
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 5 });
    const hit = await call(`/api/media/status?job_id=${jobId}`);
    expect(hit.status).toBe(200);
  });
});

describe("access log (ACCESS_LOG)", () => {
  /** The access-log records `request` writes, with console captured. */
  async function accessLinesOf(request: () => Promise<Response>): Promise<Array<Record<string, unknown>>> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args.map(String).join(" ")));
    try {
      await (await request()).arrayBuffer();
    } finally {
      spy.mockRestore();
    }
    return lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === "request");
  }
  // An hour's TTL: the hits below stay hits however slow the machine.
  const lookup =
    (jobId: string, overrides: Record<string, unknown> = {}) =>
    () =>
      callWith({ CACHE_TTL_SECONDS: "3600", ...overrides }, `/api/media/status?job_id=${jobId}`);

  it("by default logs the lookups that called DynamoDB and a refused parameter, not a hit the edge cache answered", async () => {
    const jobId = `logged-${unique()}`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 40 });
    expect(await accessLinesOf(lookup(jobId))).toEqual([
      expect.objectContaining({ status: 200, upstream_calls: 1, cache: "miss" }),
    ]);
    expect(await accessLinesOf(lookup(jobId))).toEqual([]);
    expect(await accessLinesOf(lookup(`absent-${unique()}`))).toEqual([
      expect.objectContaining({ status: 422, upstream_calls: 1 }),
    ]);
    expect(await accessLinesOf(() => callWith({}, "/api/media/status?job_id="))).toEqual([
      expect.objectContaining({ status: 400, upstream_calls: 0 }),
    ]);
  });

  it('logs every request with ACCESS_LOG = "all", the hits with their cache tier', async () => {
    const jobId = `logged-all-${unique()}`;
    await seedJob(jobId, { JobStatus: "PROGRESSING", ProgressRate: 60 });
    await accessLinesOf(lookup(jobId));
    expect(await accessLinesOf(lookup(jobId, { ACCESS_LOG: "all" }))).toEqual([
      expect.objectContaining({ path: "/api/media/status", status: 200, upstream_calls: 0, cache: "hit-memory" }),
    ]);
  });

  it("refuses an unknown ACCESS_LOG value with a message naming it", async () => {
    const response = await callWith({ ACCESS_LOG: "errors" }, "/api/media/status?job_id=x");
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ variable: "ACCESS_LOG" });
  });
});
