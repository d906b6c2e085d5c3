/**
 * Segment streaming against a misbehaving S3 (test/support/chaos-upstream.ts) and the local S3
 * server, through the real Worker in workerd (issue 9, points 1-3):
 * - a slow body passes whole, however long past UPSTREAM_DEADLINE_MS it flows; a stalled body
 *   fails as a stream (never a clean short 200) and logs one error line naming the cause;
 * - conditional headers are answered as RFC 9110 §13 says (412/304), never forwarded to S3 blindly;
 * - a range past the end is a JSON 416 with `Content-Range: bytes *\/<size>`, never S3's XML.
 * No assertion depends on time: the slow body is slower than the deadline by construction
 * (pauses that add up to 7x the deadline), and the stalled body never resumes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { SLOW_BODY_BYTES, slowBodyBytes } from "../support/slow-body.ts";
import { bindings, call, callWith } from "./support/request.ts";
import { putObject } from "./support/s3.ts";

const chaos = bindings.TEST_CHAOS_ENDPOINT;
const BUCKET = "media-recordings";
const NAME = formatSegmentName(Date.UTC(2024, 2, 1) / 1000);
const id = () => crypto.randomUUID().slice(0, 8);

/** A recorder stream of its own per test, so no test is answered from another's edge-cache entry. */
function segment(): { key: string; path: string } {
  const stream = `bodies-${id()}`;
  return { key: `movie/${stream}/${NAME}`, path: `/api/media/segments/recordings/${stream}/${NAME}` };
}

/** Reads a body to its end or its failure: the bytes that arrived and whether it ended cleanly. */
async function drain(response: Response): Promise<{ bytes: Uint8Array; failed: boolean }> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let failed = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    failed = true;
  }
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, failed };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("streamed bodies (UPSTREAM_DEADLINE_MS covers the headers, UPSTREAM_IDLE_MS a stall)", () => {
  it("passes a body that flows for longer than the deadline through whole", async () => {
    const { path } = segment();
    // 8 chunks, 7 pauses of 100 ms: the body takes at least 700 ms, 7x the 100 ms deadline.
    const response = await callWith(
      { S3_ENDPOINT: `${chaos}/trickle/${id()}/8x100`, UPSTREAM_DEADLINE_MS: "100" },
      path,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(SLOW_BODY_BYTES));
    const { bytes, failed } = await drain(response);
    expect(failed).toBe(false);
    expect(bytes.byteLength).toBe(SLOW_BODY_BYTES);
    expect(bytes).toEqual(slowBodyBytes(0, SLOW_BODY_BYTES));
  });

  it("fails a body that stalls as a failed stream, with one error line naming the cause", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(String(line)));
    const { path } = segment();
    const response = await callWith({ S3_ENDPOINT: `${chaos}/stall/${id()}/94000`, UPSTREAM_IDLE_MS: "200" }, path);
    expect(response.status).toBe(200);
    const { bytes, failed } = await drain(response);
    expect(failed).toBe(true);
    expect(bytes.byteLength).toBeLessThanOrEqual(94_000);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      path,
      error: expect.stringContaining("body stalled: no bytes for 200 ms"),
    });
  });
});

describe("conditional requests (RFC 9110 §13) in front of an S3 that answers If-Match with 412", () => {
  it("answers If-Match and If-Unmodified-Since itself: 412 JSON or the object, from S3 and from the cache", async () => {
    const { key, path } = segment();
    await putObject(BUCKET, key, "0123456789");
    const via = { S3_ENDPOINT: `${chaos}/s3-conditional/${id()}` };
    const failed = await callWith(via, path, { headers: { "if-match": '"not-the-etag"' } });
    expect(failed.status).toBe(412);
    const text = await failed.text();
    expect(JSON.parse(text)).toEqual({ success: false, message: "Precondition failed." });
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
    expect(failed.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");

    const whole = await callWith(via, path);
    const etag = whole.headers.get("etag")!;
    const lastModified = whole.headers.get("last-modified")!;
    expect(await whole.text()).toBe("0123456789");
    // The object is now in the edge cache: the same answers from there.
    for (const headers of [{ "if-match": etag }, { "if-match": `"x", ${etag}` }, { "if-match": "*" }]) {
      const matched = await callWith(via, path, { headers });
      expect(matched.status, JSON.stringify(headers)).toBe(200);
      expect(await matched.text()).toBe("0123456789");
    }
    expect((await callWith(via, path, { headers: { "if-match": `W/${etag}` } })).status).toBe(412);
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await callWith(via, path, { headers: { "if-unmodified-since": before } })).status).toBe(412);
  });

  it("answers If-None-Match and If-Modified-Since with 304 and the validators", async () => {
    const { key, path } = segment();
    await putObject(BUCKET, key, "abcdefghij");
    const via = { S3_ENDPOINT: `${chaos}/s3-conditional/${id()}` };
    const first = await callWith(via, path, { method: "HEAD" });
    const etag = first.headers.get("etag")!;
    const later = new Date(Date.parse(first.headers.get("last-modified")!) + 60_000).toUTCString();
    const conditions: Record<string, string>[] = [
      { "if-none-match": etag },
      { "if-none-match": `W/${etag}` },
      { "if-modified-since": later },
    ];
    for (const headers of conditions) {
      const response = await callWith(via, path, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(304);
      expect(response.headers.get("etag")).toBe(etag);
      expect(await response.text()).toBe("");
    }
    // If-Match fails first (RFC 9110 §13.2.2): 412 even when If-None-Match would give a 304.
    const both = await callWith(via, path, { headers: { "if-match": '"x"', "if-none-match": etag } });
    expect(both.status).toBe(412);
  });
});

describe("ranges (RFC 9110 §14)", () => {
  it("a range past the end is a JSON 416 with the size, from S3 and from the cache", async () => {
    const { key, path } = segment();
    await putObject(BUCKET, key, "0123456789");
    for (const source of ["s3", "cache"]) {
      const response = await call(path, { headers: { range: "bytes=100-" } });
      expect(response.status, source).toBe(416);
      expect(response.headers.get("content-range"), source).toBe("bytes */10");
      expect(response.headers.get("content-type"), source).toMatch(/^application\/json/);
      expect(await response.json(), source).toEqual({ success: false, message: "Range not satisfiable." });
      // Caches the whole object for the second round.
      if (source === "s3") expect(await (await call(path)).text()).toBe("0123456789");
    }
  });

  it("If-Range: the range when the validator holds, the whole object when it does not", async () => {
    const { key, path } = segment();
    await putObject(BUCKET, key, "0123456789");
    const etag = (await call(path, { method: "HEAD" })).headers.get("etag")!;
    const ranged = await call(path, { headers: { range: "bytes=2-4", "if-range": etag } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe("234");
    const changed = await call(path, { headers: { range: "bytes=2-4", "if-range": '"another"' } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe("0123456789");
  });
});
