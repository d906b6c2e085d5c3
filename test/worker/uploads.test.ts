/**
 * The uploads API through the real Worker in workerd, against the local S3 server: the test PUTs
 * the bytes through the presigned URLs the Worker returns (as a browser would) and reads the object
 * back. s3rver does not verify SigV4 signatures; test/unit/upload-presign.test.ts checks them against
 * the AWS SDK's presigner. s3rver does refuse expired presigned URLs, which is checked here.
 */
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { DEFAULT_BUCKETS, DEFAULT_REGION } from "../../model/index.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { mintToken } from "../../worker/auth/tokens.ts";
import { createAwsEdgeClient } from "../../worker/aws/client.ts";
import { amzDate, presignS3 } from "../../worker/aws/s3-presign.ts";
import { encodeS3Key } from "../../worker/aws/s3-url.ts";
import { bindings, call, callWith } from "./support/request.ts";
import { tamperSignature } from "../support/tamper.ts";

const BUCKET = DEFAULT_BUCKETS.input;
const MiB = 1024 * 1024;
const s3 = new AwsClient({ ...LOCAL_CREDENTIALS, region: DEFAULT_REGION, service: "s3", retries: 0 });

function uploadToken(scope = "upload:*", extra: { maxBytes?: number; purpose?: "upload" | "play" } = {}) {
  return mintToken(bindings.TOKEN_SECRET!, {
    scope,
    purpose: extra.purpose ?? "upload",
    ttlSeconds: 600,
    ...(extra.maxBytes ? { maxBytes: extra.maxBytes } : {}),
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/** POST a JSON body to an upload route with an upload token (signed policy, the default). */
async function post(path: string, body: unknown, init: { token?: string | null; env?: Record<string, unknown> } = {}) {
  const token = init.token === undefined ? await uploadToken() : init.token;
  const request = {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
  const response = init.env ? await callWith(init.env, path, request) : await call(path, request);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function getObject(key: string): Promise<Response> {
  return s3.fetch(`${bindings.S3_ENDPOINT}/${BUCKET}/${encodeS3Key(key)}`);
}

const MULTIPART = { MULTIPART_THRESHOLD_BYTES: String(5 * MiB) };

describe("POST /api/media/uploads: single PUT", () => {
  it("returns a presigned PUT that stores the file under a safe, unique key", async () => {
    const file = bytes(1000, 1);
    const created = await post("/api/media/uploads", {
      file_name: "My clip (1).mp4",
      content_type: "video/mp4",
      size: 1000,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { input_file: key, upload, expires_at: expiresAt } = created.body;
    expect(key).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{16}\/My_clip_1.mp4$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(800_000);
    expect(upload).toMatchObject({ kind: "single", method: "PUT", headers: { "content-type": "video/mp4" } });
    const url = new URL(upload.url);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");

    const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: file });
    expect(put.status).toBe(200);
    await put.arrayBuffer();
    const stored = await getObject(key);
    expect(stored.headers.get("content-type")).toBe("video/mp4");
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(file);

    const again = await post("/api/media/uploads", {
      file_name: "My clip (1).mp4",
      content_type: "video/mp4",
      size: 1000,
    });
    expect(again.body.input_file).not.toBe(key);
  });

  it("an expired presigned URL is refused by S3", async () => {
    const aws = createAwsEdgeClient({
      credentials: { region: DEFAULT_REGION, ...LOCAL_CREDENTIALS },
      endpoints: { dynamodb: "http://127.0.0.1:1", s3: { endpoint: bindings.S3_ENDPOINT!, pathStyle: true } },
      policy: { deadlineMs: 3000, maxAttempts: 1, idleMs: 10_000 },
    });
    const url = await presignS3(aws, {
      bucket: BUCKET,
      key: "expired/clip.mp4",
      method: "PUT",
      expiresSeconds: 60,
      headers: { "content-type": "video/mp4", "content-length": "3" },
      datetime: amzDate(new Date(Date.now() - 3_600_000)),
    });
    const put = await fetch(url, { method: "PUT", headers: { "content-type": "video/mp4" }, body: "abc" });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain("Request has expired");
    expect((await getObject("expired/clip.mp4")).status).toBe(404);
  });
});

describe("multipart", () => {
  it("create -> part URLs -> PUT -> resume listing -> 409 for a missing part -> complete -> same bytes", async () => {
    const size = 8 * MiB + 1000;
    const file = bytes(size, 7);
    const created = await post(
      "/api/media/uploads",
      { file_name: "big.mov", content_type: "video/quicktime", size },
      { env: MULTIPART },
    );
    expect(created.status).toBe(201);
    const { input_file: key, upload } = created.body;
    expect(upload).toMatchObject({ kind: "multipart", part_size: 8 * MiB, part_count: 2 });
    const ref = { input_file: key, upload_id: upload.upload_id };

    const batch = await post("/api/media/uploads/parts", { ...ref, part_numbers: [1, 2] });
    expect(batch.status).toBe(200);
    expect(batch.body.uploaded).toEqual([]);
    expect(batch.body.parts.map((part: Json) => part.part_number)).toEqual([1, 2]);
    const first = await fetch(batch.body.parts[0].url, { method: "PUT", body: file.subarray(0, 8 * MiB) });
    expect(first.status).toBe(200);
    const firstEtag = first.headers.get("etag")!;
    expect(firstEtag).toMatch(/^"[0-9a-f]{32}"$/);

    // A reloaded page asks again: part 1 is listed (and skipped), only part 2 is presigned.
    const resume = await post("/api/media/uploads/parts", { ...ref, part_numbers: [2] });
    expect(resume.body.uploaded).toEqual([{ part_number: 1, etag: firstEtag, size: 8 * MiB }]);

    const early = await post("/api/media/uploads/complete", {
      ...ref,
      parts: [
        { part_number: 1, etag: firstEtag },
        { part_number: 2, etag: '"00000000000000000000000000000000"' },
      ],
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ success: false, missing_parts: [2] });

    const second = await fetch(resume.body.parts[0].url, { method: "PUT", body: file.subarray(8 * MiB) });
    const secondEtag = second.headers.get("etag")!;
    const completed = await post("/api/media/uploads/complete", {
      ...ref,
      parts: [
        { part_number: 1, etag: firstEtag },
        { part_number: 2, etag: secondEtag },
      ],
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({
      input_file: key,
      status_url: `/api/media/job_id?input_file=${encodeURIComponent(key)}`,
    });
    const stored = await getObject(key);
    expect(stored.headers.get("content-type")).toBe("video/quicktime");
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(file);
  });

  it("413 when the parts S3 holds add up to more than the token's max: part URLs carry no size", async () => {
    // The plan says one 8-MiB part for 5 MiB + 1, but part URLs cannot sign a length the Worker
    // does not know, so a caller can PUT more and larger parts; completion is where the limit holds.
    const token = await uploadToken("upload:*", { maxBytes: 6 * MiB });
    const created = await post(
      "/api/media/uploads",
      { file_name: "grown.mp4", content_type: "video/mp4", size: 5 * MiB + 1 },
      { token, env: MULTIPART },
    );
    expect(created.body.upload).toMatchObject({ kind: "multipart", part_count: 1 });
    const ref = { input_file: created.body.input_file, upload_id: created.body.upload.upload_id };
    const batch = await post("/api/media/uploads/parts", { ...ref, part_numbers: [1, 2] }, { token, env: MULTIPART });
    const parts = [];
    for (const part of batch.body.parts) {
      const put = await fetch(part.url, { method: "PUT", body: bytes(5 * MiB, part.part_number) });
      expect(put.status).toBe(200);
      parts.push({ part_number: part.part_number, etag: put.headers.get("etag")! });
    }
    const completed = await post("/api/media/uploads/complete", { ...ref, parts }, { token, env: MULTIPART });
    expect(completed).toMatchObject({ status: 413, body: { success: false, max_bytes: 6 * MiB } });
    expect((await getObject(ref.input_file)).status).toBe(404);
    // Within the limit (the first part alone) but short of the declared size: refused too.
    const first = await post(
      "/api/media/uploads/complete",
      { ...ref, parts: parts.slice(0, 1) },
      { token, env: MULTIPART },
    );
    expect(first).toMatchObject({ status: 409, body: { size: 5 * MiB + 1, parts_bytes: 5 * MiB } });
  });

  it("409 when the parts listed add up to less than the declared size: never a shorter file, transcoded as whole", async () => {
    // Two planned parts (8 MiB + 1 MiB); completing with the first alone would make S3 join one part.
    const size = 9 * MiB;
    const created = await post(
      "/api/media/uploads",
      { file_name: "short.mp4", content_type: "video/mp4", size },
      { env: MULTIPART },
    );
    expect(created.body.upload).toMatchObject({ kind: "multipart", part_count: 2 });
    const ref = { input_file: created.body.input_file, upload_id: created.body.upload.upload_id };
    const partSize: number = created.body.upload.part_size;
    const batch = await post("/api/media/uploads/parts", { ...ref, part_numbers: [1, 2] }, { env: MULTIPART });
    const parts = [];
    for (const part of batch.body.parts) {
      const length = part.part_number === 1 ? partSize : size - partSize;
      const put = await fetch(part.url, { method: "PUT", body: bytes(length, part.part_number) });
      expect(put.status).toBe(200);
      parts.push({ part_number: part.part_number, etag: put.headers.get("etag")! });
    }
    const short = await post("/api/media/uploads/complete", { ...ref, parts: parts.slice(0, 1) }, { env: MULTIPART });
    expect(short).toMatchObject({
      status: 409,
      body: { success: false, size, parts_bytes: partSize, message: expect.stringMatching(/every part/) },
    });
    expect((await getObject(ref.input_file)).status).toBe(404);
    const whole = await post("/api/media/uploads/complete", { ...ref, parts }, { env: MULTIPART });
    expect(whole.status).toBe(200);
    expect(Number((await getObject(ref.input_file)).headers.get("content-length"))).toBe(size);
  });

  it("takes S3's bare upload id too (uploads created before the id carried the size), without the size check", async () => {
    const created = await post(
      "/api/media/uploads",
      { file_name: "legacy.mp4", content_type: "video/mp4", size: 6 * MiB },
      { env: MULTIPART },
    );
    const handle: string = created.body.upload.upload_id;
    expect(handle).toMatch(new RegExp(`^${6 * MiB}:`));
    const ref = { input_file: created.body.input_file, upload_id: handle.slice(handle.indexOf(":") + 1) };
    const batch = await post("/api/media/uploads/parts", { ...ref, part_numbers: [1] }, { env: MULTIPART });
    expect(batch.status).toBe(200);
    const aborted = await post("/api/media/uploads/abort", ref, { env: MULTIPART });
    expect(aborted).toMatchObject({ status: 200, body: { aborted: true } });
  });

  it("abort removes the upload; later calls about it are 404", async () => {
    const created = await post(
      "/api/media/uploads",
      { file_name: "gone.mp4", content_type: "video/mp4", size: 6 * MiB },
      { env: MULTIPART },
    );
    const ref = { input_file: created.body.input_file, upload_id: created.body.upload.upload_id };
    const aborted = await post("/api/media/uploads/abort", ref);
    expect(aborted).toMatchObject({ status: 200, body: { input_file: ref.input_file, aborted: true } });
    expect((await post("/api/media/uploads/parts", { ...ref, part_numbers: [1] })).status).toBe(404);
    expect((await post("/api/media/uploads/abort", ref)).status).toBe(404);
  });
});

describe("bad input gets JSON with the right status", () => {
  const valid = { file_name: "a.mp4", content_type: "video/mp4", size: 10 };

  it.each([
    ["bad JSON", "{", /not valid JSON/],
    ["not an object", "[1]", /JSON object/],
    ["missing field", { file_name: "a.mp4", content_type: "video/mp4" }, /Missing field size/],
    ["size not an integer", { ...valid, size: 1.5 }, /size/],
    ["empty size", { ...valid, size: 0 }, /size/],
    ["name empty after sanitising", { ...valid, file_name: "../.../" }, /no usable characters/],
    ["content type with parameters", { ...valid, content_type: "video/mp4; codecs=avc1" }, /media type/],
  ])("400: %s", async (_name, body, message) => {
    const response = await post("/api/media/uploads", body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, message: expect.stringMatching(message) });
  });

  it("400: a body over 1 MiB", async () => {
    const response = await post("/api/media/uploads", { ...valid, pad: "x".repeat(1024 * 1024) });
    expect(response).toMatchObject({ status: 400, body: { success: false } });
  });

  it("413 over MAX_UPLOAD_BYTES, and over the token's max", async () => {
    const over = await post("/api/media/uploads", { ...valid, size: 2001 }, { env: { MAX_UPLOAD_BYTES: "2000" } });
    expect(over).toMatchObject({ status: 413, body: { success: false, max_bytes: 2000 } });
    const token = await uploadToken("upload:*", { maxBytes: 500 });
    const overToken = await post("/api/media/uploads", { ...valid, size: 501 }, { token });
    expect(overToken).toMatchObject({ status: 413, body: { max_bytes: 500 } });
    expect((await post("/api/media/uploads", { ...valid, size: 500 }, { token })).status).toBe(201);
  });

  it("415 for a type that is not video/* or audio/*", async () => {
    const response = await post("/api/media/uploads", { ...valid, content_type: "text/html" });
    expect(response).toMatchObject({ status: 415, body: { success: false, content_type: "text/html" } });
    expect((await post("/api/media/uploads", { ...valid, content_type: "audio/mpeg" })).status).toBe(201);
  });

  it("401 without or with a tampered token, 403 for a play token or a prefix outside INPUT_PREFIX", async () => {
    const missing = await post("/api/media/uploads", valid, { token: null });
    expect(missing).toMatchObject({ status: 401, body: { reason: "missing" } });
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    const token = await uploadToken();
    const tampered = await post("/api/media/uploads", valid, { token: tamperSignature(token) });
    expect(tampered.status).toBe(401);
    const play = await post("/api/media/uploads", valid, {
      token: await uploadToken("upload:*", { purpose: "play" }),
    });
    expect(play).toMatchObject({ status: 403, body: { reason: "wrong-purpose" } });
    const outside = await post("/api/media/uploads", valid, {
      token: await uploadToken("upload:elsewhere/"),
      env: { INPUT_PREFIX: "incoming" },
    });
    expect(outside).toMatchObject({ status: 403, body: { reason: "wrong-scope" } });
  });

  it("a token bound to a prefix puts the upload under it and cannot touch other uploads", async () => {
    const env = { INPUT_PREFIX: "incoming", ...MULTIPART };
    const alice = await uploadToken("upload:incoming/alice/");
    const created = await post("/api/media/uploads", { ...valid, size: 6 * MiB }, { token: alice, env });
    expect(created.status).toBe(201);
    expect(created.body.input_file).toMatch(/^incoming\/alice\/\d{8}T\d{6}Z-[0-9a-f]{16}\/a\.mp4$/);
    const ref = { input_file: created.body.input_file, upload_id: created.body.upload.upload_id };
    const bob = await uploadToken("upload:incoming/bob/");
    expect((await post("/api/media/uploads/abort", ref, { token: bob, env })).status).toBe(403);
    expect((await post("/api/media/uploads/abort", ref, { token: alice, env })).status).toBe(200);
  });

  it("400 for an input_file this API did not create, or a malformed part list", async () => {
    const foreign = await post("/api/media/uploads/abort", { input_file: "other/key.mp4", upload_id: "abc" });
    expect(foreign).toMatchObject({ status: 400, body: { message: expect.stringMatching(/input_file/) } });
    const ref = { input_file: "20261205T000000Z-0123456789abcdef/a.mp4", upload_id: "abc" };
    for (const part_numbers of [[0], [1, 1], Array.from({ length: 101 }, (_, i) => i + 1), "1"]) {
      expect((await post("/api/media/uploads/parts", { ...ref, part_numbers })).status).toBe(400);
    }
    for (const parts of [
      [],
      [
        { part_number: 2, etag: "x" },
        { part_number: 1, etag: "y" },
      ],
      [{ part_number: 1 }],
    ]) {
      expect((await post("/api/media/uploads/complete", { ...ref, parts })).status).toBe(400);
    }
    expect((await post("/api/media/uploads/abort", { ...ref, upload_id: "a b" })).status).toBe(400);
    // A ".." segment would name another key once URL parsing collapses it: not a key this API made.
    const dotted = await post("/api/media/uploads/abort", { ...ref, input_file: `x/../${ref.input_file}` });
    expect(dotted).toMatchObject({ status: 400, body: { message: expect.stringMatching(/input_file/) } });
  });

  it("public policy: no token needed", async () => {
    const response = await post("/api/media/uploads", valid, { token: null, env: { UPLOAD_POLICY: "public" } });
    expect(response.status).toBe(201);
  });
});

describe("S3 answers that do not read", () => {
  it("502 for a reference XML does not define (an unknown entity, a character past U+10FFFF), S3's text kept out", async () => {
    const s3Endpoint = `${bindings.TEST_CHAOS_ENDPOINT}/bad-reference/${crypto.randomUUID().slice(0, 8)}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post(
        "/api/media/uploads",
        { file_name: "big.mp4", content_type: "video/mp4", size: 6 * MiB },
        { env: { ...MULTIPART, S3_ENDPOINT: s3Endpoint } },
      );
      expect(response).toMatchObject({ status: 502, body: { success: false } });
      expect(JSON.stringify(response.body)).not.toContain("UPSTREAM-SECRET-BODY");
    }
  });
});

describe("CORS", () => {
  it("grants POST with content-type and authorization on preflight", async () => {
    const response = await call("/api/media/uploads/parts", {
      method: "OPTIONS",
      headers: {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type, authorization");
  });

  it("refuses a POST from an origin outside the allow-list with the seed's 422", async () => {
    const response = await call("/api/media/uploads", {
      method: "POST",
      origin: "https://evil.example",
      body: JSON.stringify({ file_name: "a.mp4", content_type: "video/mp4", size: 1 }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ success: false, message: "ORIGIN is invalid." });
  });

  it("answers an allowed origin's POST with its CORS headers", async () => {
    const response = await post("/api/media/uploads", { file_name: "a.mp4", content_type: "video/mp4", size: 1 });
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.nightonly.com");
  });
});
