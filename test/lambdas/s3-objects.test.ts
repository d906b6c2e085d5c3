/**
 * The Lambdas' S3 requests (aws-lambdas/shared/s3-objects.ts). Against the local S3 server: objects
 * land under the key asked for, with their headers; heads, reads and listing pages of awkward keys
 * come back as the S3 client reads them from the same server, and conditional writes are refused
 * as S3 refuses them (local/s3rver-conditional.ts). Against a stand-in (s3-stand-in.ts) that
 * records what was sent and answers what s3rver never does: each request is signed as an
 * independent signer (aws4fetch, the Worker's) signs it, since the local server checks no
 * signature; the retry policy; a 409 conflict, redirects, silence, a body cut short, a listing
 * that is not one; and errors that never repeat S3's body.
 */
import { createHash } from "node:crypto";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { AwsV4Signer } from "aws4fetch";
import { describe, expect, it } from "vitest";
import {
  isRetryableAnswer,
  retryDelayMs,
  s3ErrorCode,
  S3RequestError,
  type ListPage,
} from "../../aws-lambdas/shared/s3-objects.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { startEmulatorServer } from "../../local/emulators/http.ts";
import { s3Location } from "../../worker/aws/s3-url.ts";
import {
  type Captured,
  ECHOED_SECRET,
  listingXml,
  s3StandIn,
  SESSION_TOKEN,
  SIGNING_TIME,
  STAND_IN_REGION,
} from "./s3-stand-in.ts";
import { buckets, getText, testClients, uniquePrefix } from "./support.ts";

const { s3, objects } = testClients();
const standIn = s3StandIn();

describe("putObject against the local S3 server", () => {
  it.each([
    "info.json",
    "a b+c%2B(ü).json",
    "動画 ファイル/emoji 🎬.ndjson",
    "semi;colon,comma=equals&amp/quote'star*bang!.json",
  ])("writes %j under exactly that key, with its body and headers", async (name) => {
    const key = `${uniquePrefix("writer")}${name}`;
    const body = '{"title":"Café ☕","faces":[1,2,3]}\n';
    await objects.putObject({
      bucket: buckets.output,
      key,
      body,
      contentType: "application/json; charset=utf-8",
      cacheControl: "no-cache",
    });
    expect(await getText(s3, buckets.output, key)).toBe(body);
    const head = await s3.send(new HeadObjectCommand({ Bucket: buckets.output, Key: key }));
    expect({ type: head.ContentType, cache: head.CacheControl, length: head.ContentLength }).toEqual({
      type: "application/json; charset=utf-8",
      cache: "no-cache",
      length: Buffer.byteLength(body),
    });
  });

  it("overwrites an object (a retried event writes the same key again)", async () => {
    const key = `${uniquePrefix("writer")}manifest.json`;
    await objects.putObject({ bucket: buckets.output, key, body: "first", contentType: "text/plain" });
    await objects.putObject({ bucket: buckets.output, key, body: "second", contentType: "text/plain" });
    expect(await getText(s3, buckets.output, key)).toBe("second");
  });

  it("refuses a key that a URL would silently turn into another one, before sending anything", async () => {
    await expect(
      objects.putObject({ bucket: buckets.output, key: "a/../b.json", body: "x", contentType: "text/plain" }),
    ).rejects.toThrow('"." or ".."');
  });
});

/** Keys S3 and the URL code must not mangle: spaces, "+", "%2B", XML's specials, non-ASCII, folders. */
const AWKWARD_NAMES = [
  "a b+c%2B(ü).ts",
  "amp&lt;<tag>\"quote'.ts",
  "semi;colon,comma=equals!star*.ts",
  "動画 ファイル.ts",
  "emoji 🎬.ts",
  // Not "sub/" and "sub 2/": s3rver walks folders in its file system's order, not S3's key order.
  "folder/inner.ts",
  "x y+/z w.ts",
];

describe("conditional writes against the local S3 server (local/s3rver-conditional.ts), as S3 answers them", () => {
  it("If-None-Match: * writes a new key once; If-Match writes over the ETag it names, and nothing else", async () => {
    const key = `${uniquePrefix("conditional")}index.txt`;
    const write = (body: string, condition: { ifMatch?: string; ifNoneMatch?: "*" }) =>
      objects.putObject({ bucket: buckets.output, key, body, contentType: "text/plain", ...condition });
    await expect(write("v0", { ifMatch: '"0"' })).rejects.toMatchObject({ status: 404, code: "NoSuchKey" });
    await write("v1", { ifNoneMatch: "*" });
    await expect(write("v1 again", { ifNoneMatch: "*" })).rejects.toMatchObject({
      status: 412,
      code: "PreconditionFailed",
    });
    const first = (await objects.headObject({ bucket: buckets.output, key }))!.eTag;
    await write("v2", { ifMatch: first });
    await expect(write("v2 from a stale read", { ifMatch: first })).rejects.toMatchObject({
      status: 412,
      code: "PreconditionFailed",
    });
    expect(await getText(s3, buckets.output, key)).toBe("v2");
  });

  it("of writers that read the same ETag, exactly one wins", async () => {
    const key = `${uniquePrefix("conditional")}index.txt`;
    await objects.putObject({ bucket: buckets.output, key, body: "v0", contentType: "text/plain" });
    const read = (await objects.headObject({ bucket: buckets.output, key }))!.eTag;
    const writers = Array.from({ length: 8 }, (_, n) =>
      objects.putObject({ bucket: buckets.output, key, body: `writer ${n}`, contentType: "text/plain", ifMatch: read }),
    );
    const results = await Promise.allSettled(writers);
    const won = results.flatMap((result, n) => (result.status === "fulfilled" ? [n] : []));
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected")
        expect(result.reason).toMatchObject({ status: 412, code: "PreconditionFailed" });
    }
    expect(await getText(s3, buckets.output, key)).toBe(`writer ${won[0]}`);
  });
});

describe("heads, reads and listings against the local S3 server", () => {
  it("headObject: the ETag the S3 client reads; undefined for a key with no object", async () => {
    const key = `${uniquePrefix("head")}a b+c.txt`;
    await objects.putObject({ bucket: buckets.output, key, body: "text", contentType: "text/plain" });
    const expected = (await s3.send(new HeadObjectCommand({ Bucket: buckets.output, Key: key }))).ETag;
    expect(expected).toMatch(/^".+"$/);
    expect(await objects.headObject({ bucket: buckets.output, key })).toEqual({ eTag: expected });
    expect(await objects.headObject({ bucket: buckets.output, key: `${key}.missing` })).toBeUndefined();
  });

  it("getObjectText: the object, a range of it, undefined for no object, a 416 for a range past its end", async () => {
    const key = `${uniquePrefix("get")}動画 index+.txt`;
    const body = "Café ☕ and more\n";
    await objects.putObject({ bucket: buckets.output, key, body, contentType: "text/plain; charset=utf-8" });
    expect(await objects.getObjectText({ bucket: buckets.output, key })).toBe(body);
    expect(await objects.getObjectText({ bucket: buckets.output, key, range: "bytes=0-4" })).toBe("Café");
    expect(await objects.getObjectText({ bucket: buckets.output, key: `${key}.missing` })).toBeUndefined();
    await expect(
      objects.getObjectText({ bucket: buckets.output, key, range: "bytes=1000-1999" }),
    ).rejects.toMatchObject({ name: "S3RequestError", status: 416, code: "InvalidRange" });
  });

  it("listObjectsV2: awkward keys page by page, folders as common prefixes, exactly as the S3 client lists them", async () => {
    const prefix = uniquePrefix("list");
    for (const name of AWKWARD_NAMES) {
      await s3.send(new PutObjectCommand({ Bucket: buckets.recordings, Key: prefix + name, Body: "ts" }));
    }
    /** Every page of a listing, ours and the S3 client's, as the same shape. */
    const ours = async (input: { delimiter?: string; startAfter?: string }) => {
      const pages: ListPage[] = [];
      let token: string | undefined;
      do {
        const page = await objects.listObjectsV2({
          bucket: buckets.recordings,
          prefix,
          maxKeys: 2,
          ...input,
          ...(token ? { continuationToken: token } : {}),
        });
        pages.push(page);
        token = page.nextContinuationToken;
      } while (token);
      return pages.map((page) => ({
        keys: page.objects.map((object) => object.key),
        prefixes: page.commonPrefixes,
        truncated: page.isTruncated,
      }));
    };
    const theirs = async (input: { delimiter?: string; startAfter?: string }) => {
      const pages = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: buckets.recordings,
            Prefix: prefix,
            MaxKeys: 2,
            Delimiter: input.delimiter,
            StartAfter: input.startAfter,
            ContinuationToken: token,
          }),
        );
        pages.push({
          keys: (page.Contents ?? []).map((object) => object.Key),
          prefixes: (page.CommonPrefixes ?? []).map((common) => common.Prefix),
          truncated: page.IsTruncated ?? false,
        });
        token = page.NextContinuationToken;
      } while (token);
      return pages;
    };

    const all = await ours({});
    expect(all.flatMap((page) => page.keys)).toEqual(AWKWARD_NAMES.map((name) => prefix + name).sort());
    expect(all.length).toBeGreaterThan(2);
    expect(all).toEqual(await theirs({}));
    const foldered = await ours({ delimiter: "/" });
    // s3rver's token is the page's last key, so a common prefix after it comes again on the next page
    // (to the S3 client as well); S3's never does.
    expect([...new Set(foldered.flatMap((page) => page.prefixes))].sort()).toEqual([
      `${prefix}folder/`,
      `${prefix}x y+/`,
    ]);
    expect(foldered).toEqual(await theirs({ delimiter: "/" }));
    const after = { delimiter: "/", startAfter: `${prefix}amp&lt;<tag>` };
    expect((await ours(after)).flatMap((page) => page.keys)).not.toContain(`${prefix}a b+c%2B(ü).ts`);
    expect(await ours(after)).toEqual(await theirs(after));
  });
});

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

/**
 * The Authorization header aws4fetch computes for a request as the stand-in received it, signing
 * the headers ours signed (allHeaders: aws4fetch would otherwise leave some out that the SDK signs;
 * it adds host, x-amz-date and the session token itself).
 */
async function independentAuthorization(sent: Captured, signedHeaders: string[]): Promise<string | null> {
  const own = new Set(["host", "x-amz-date", "x-amz-security-token"]);
  const headers = Object.fromEntries(
    signedHeaders.filter((name) => !own.has(name)).map((name) => [name, String(sent.headers[name])]),
  );
  const signer = new AwsV4Signer({
    url: `${standIn.endpoint}${sent.url}`,
    method: sent.method,
    headers,
    ...(sent.body ? { body: sent.body } : {}),
    ...LOCAL_CREDENTIALS,
    sessionToken: SESSION_TOKEN,
    region: STAND_IN_REGION,
    service: "s3",
    datetime: SIGNING_TIME.toISOString().replace(/[:-]|\.\d{3}/g, ""),
    allHeaders: true,
  });
  return (await signer.sign()).headers.get("authorization");
}

const signedHeadersOf = (sent: Captured) =>
  /SignedHeaders=([^,]+),/.exec(String(sent.headers.authorization))?.[1]?.split(";") ?? [];

const putInput = { bucket: "media-output", key: "out/a b+c.json", body: '{"ü":1}', contentType: "application/json" };

describe("the requests sent, signed as aws4fetch signs them", () => {
  it.each([
    {
      name: "PutObject, with the payload's SHA-256 and the session token signed",
      step: { status: 200 },
      call: () => standIn.objects().objects.putObject(putInput),
      method: "PUT",
      url: "/media-output/out/a%20b%2Bc.json",
      body: putInput.body,
      signed: "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { "content-type": "application/json" },
    },
    {
      name: "PutObject If-Match (the ETag read), signed",
      step: { status: 200 },
      call: () => standIn.objects().objects.putObject({ ...putInput, ifMatch: '"3858f62230ac3c915f300c664312c63f"' }),
      method: "PUT",
      url: "/media-output/out/a%20b%2Bc.json",
      body: putInput.body,
      signed: "content-type;host;if-match;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { "if-match": '"3858f62230ac3c915f300c664312c63f"' },
    },
    {
      name: "PutObject If-None-Match: * (no object yet), signed",
      step: { status: 200 },
      call: () => standIn.objects().objects.putObject({ ...putInput, ifNoneMatch: "*" }),
      method: "PUT",
      url: "/media-output/out/a%20b%2Bc.json",
      body: putInput.body,
      signed: "content-type;host;if-none-match;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { "if-none-match": "*" },
    },
    {
      name: "HeadObject",
      step: { status: 200, headers: { etag: '"0"' } },
      call: () => standIn.objects().objects.headObject({ bucket: "media-recordings", key: "movie/~index/x y.txt" }),
      method: "HEAD",
      url: "/media-recordings/movie/~index/x%20y.txt",
      body: "",
      signed: "host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { "x-amz-content-sha256": EMPTY_SHA256 },
    },
    {
      name: "GetObject with a Range, signed",
      step: { status: 206, body: "#3" },
      call: () =>
        standIn
          .objects()
          .objects.getObjectText({ bucket: "media-recordings", key: "movie/a+b.txt", range: "bytes=0-9" }),
      method: "GET",
      url: "/media-recordings/movie/a%2Bb.txt",
      body: "",
      signed: "host;range;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { range: "bytes=0-9" },
    },
    {
      name: "ListObjectsV2 with encoding-type=url, every parameter in the signed query",
      step: { status: 200, body: listingXml({ keys: [] }) },
      call: () =>
        standIn.objects().objects.listObjectsV2({
          bucket: "media-recordings",
          prefix: "movie/cam 1+é/",
          delimiter: "/",
          startAfter: "movie/cam 1+é/20240102T00",
          continuationToken: "1/ab+c=d",
          maxKeys: 7,
        }),
      method: "GET",
      url:
        "/media-recordings/?list-type=2&encoding-type=url&prefix=movie%2Fcam%201%2B%C3%A9%2F&delimiter=%2F" +
        "&start-after=movie%2Fcam%201%2B%C3%A9%2F20240102T00&continuation-token=1%2Fab%2Bc%3Dd&max-keys=7",
      body: "",
      signed: "host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
      headers: { "x-amz-content-sha256": EMPTY_SHA256 },
    },
  ])("$name", async ({ step, call, method, url, body, signed, headers }) => {
    standIn.script([step]);
    await call();
    expect(standIn.requests).toHaveLength(1);
    const [sent] = standIn.requests;
    expect({ method: sent!.method, url: sent!.url, body: sent!.body }).toEqual({ method, url, body });
    expect(sent!.headers).toMatchObject({
      "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
      "x-amz-security-token": SESSION_TOKEN,
      ...headers,
    });
    expect(signedHeadersOf(sent!).join(";")).toBe(signed);
    expect(String(sent!.headers.authorization)).toBe(await independentAuthorization(sent!, signedHeadersOf(sent!)));
  });

  it("sends Cache-Control, unsigned as the SDK leaves it", async () => {
    standIn.script([]);
    await standIn.objects().objects.putObject({ ...putInput, cacheControl: "no-cache" });
    const [sent] = standIn.requests;
    expect(sent!.headers["cache-control"]).toBe("no-cache");
    expect(signedHeadersOf(sent!)[0]).toBe("content-type");
  });
});

describe("answers", () => {
  it("a listing: keys and common prefixes url-decoded exactly, the token for the next page", async () => {
    const keys = ["movie/a b+c%2B(ü).ts", "movie/amp&<>\"'.ts", "movie/tab\there.ts", "movie/動画 🎬.ts"];
    standIn.script([
      { status: 200, body: listingXml({ keys, commonPrefixes: ["movie/x y+/"], nextContinuationToken: "t1" }) },
    ]);
    const page = await standIn.objects().objects.listObjectsV2({ bucket: "b", prefix: "movie/", delimiter: "/" });
    expect(page).toEqual({
      objects: keys.map((key) => ({ key, size: 2 })),
      commonPrefixes: ["movie/x y+/"],
      isTruncated: true,
      nextContinuationToken: "t1",
      keyCount: 4,
    });
  });

  it("a listing that is not one: a clear error, not retried, without the body", async () => {
    standIn.script([{ status: 200, body: `<html>${ECHOED_SECRET}</html>` }]);
    const error = await standIn
      .objects()
      .objects.listObjectsV2({ bucket: "b", prefix: "movie/" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error).toMatchObject({
      status: 200,
      message:
        "ListObjectsV2 s3://b/movie/: not a ListObjectsV2 answer (root element is <html>, not <ListBucketResult> at offset 0)",
    });
    expect((error as Error).message).not.toContain("secret-ish");
    expect(standIn.requests).toHaveLength(1);
  });

  it("headObject: 404 is no object; a refusal is an error with its status (a HEAD answer has no body)", async () => {
    standIn.script([{ status: 404 }, { status: 403 }]);
    const { objects: standInObjects } = standIn.objects();
    expect(await standInObjects.headObject({ bucket: "b", key: "k" })).toBeUndefined();
    await expect(standInObjects.headObject({ bucket: "b", key: "k" })).rejects.toMatchObject({
      status: 403,
      code: undefined,
      message: "HeadObject s3://b/k: HTTP 403",
    });
    expect(standIn.requests.map((request) => request.method)).toEqual(["HEAD", "HEAD"]);
  });

  it("getObjectText: NoSuchKey is no object", async () => {
    standIn.script([{ status: 404, code: "NoSuchKey" }]);
    expect(await standIn.objects().objects.getObjectText({ bucket: "b", key: "k" })).toBeUndefined();
  });
});

describe("the retry policy and its errors", () => {
  it("retries 503 SlowDown with full-jitter backoff, and succeeds on the third attempt", async () => {
    standIn.script([
      { status: 503, code: "SlowDown" },
      { status: 500, code: "InternalError" },
    ]);
    const { objects: flaky, sleeps } = standIn.objects();
    await flaky.putObject(putInput);
    expect(standIn.requests).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
    expect(new Set(standIn.requests.map((request) => request.body))).toEqual(new Set([putInput.body]));
  });

  it("retries a head and a listing as it retries a put", async () => {
    standIn.script([
      { status: 503 },
      { status: 200, headers: { etag: '"e"' } },
      { status: 500, code: "InternalError" },
      { status: 200, body: listingXml({ keys: ["k"] }) },
    ]);
    const { objects: flaky } = standIn.objects();
    expect(await flaky.headObject({ bucket: "b", key: "k" })).toEqual({ eTag: '"e"' });
    expect((await flaky.listObjectsV2({ bucket: "b", prefix: "" })).objects).toEqual([{ key: "k", size: 2 }]);
    expect(standIn.requests.map((request) => request.method)).toEqual(["HEAD", "HEAD", "GET", "GET"]);
  });

  it("gives up after three attempts with the status and S3's code, never S3's body", async () => {
    standIn.script([
      { status: 503, code: "SlowDown" },
      { status: 503, code: "SlowDown" },
      { status: 503, code: "SlowDown" },
    ]);
    const error = await standIn
      .objects()
      .objects.putObject(putInput)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error).toMatchObject({
      status: 503,
      code: "SlowDown",
      message: "PutObject s3://media-output/out/a b+c.json: HTTP 503 SlowDown after 3 attempts",
    });
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain("secret-ish");
    expect(standIn.requests).toHaveLength(3);
  });

  it.each([
    [412, "PreconditionFailed"],
    [409, "ConditionalRequestConflict"],
  ])("a failed condition (%i %s) is the caller's: one request, its status and code", async (status, code) => {
    standIn.script([{ status, code }]);
    const error = await standIn
      .objects()
      .objects.putObject({ ...putInput, ifMatch: '"v1"' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error).toMatchObject({
      status,
      code,
      message: `PutObject s3://media-output/out/a b+c.json: HTTP ${status} ${code}`,
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it("does not retry a refusal (403 AccessDenied)", async () => {
    standIn.script([{ status: 403, code: "AccessDenied" }]);
    await expect(standIn.objects().objects.putObject(putInput)).rejects.toMatchObject({
      status: 403,
      code: "AccessDenied",
      message: "PutObject s3://media-output/out/a b+c.json: HTTP 403 AccessDenied",
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it("does not follow a redirect (the signature is for this host): the status and code", async () => {
    standIn.script([
      { status: 307, code: "TemporaryRedirect", headers: { location: `${standIn.endpoint}/elsewhere/k` } },
    ]);
    await expect(standIn.objects().objects.putObject(putInput)).rejects.toMatchObject({
      status: 307,
      code: "TemporaryRedirect",
    });
    expect(standIn.requests.map((request) => request.url)).toEqual(["/media-output/out/a%20b%2Bc.json"]);
  });

  it("retries S3's 400 RequestTimeout", async () => {
    standIn.script([{ status: 400, code: "RequestTimeout" }]);
    await standIn.objects().objects.putObject(putInput);
    expect(standIn.requests).toHaveLength(2);
  });

  it("bounds an attempt that gets no answer, and says so", async () => {
    standIn.script(["silence", "silence"]);
    const { objects: silent } = standIn.objects({ maxAttempts: 2, attemptTimeoutMs: 200 });
    await expect(silent.putObject(putInput)).rejects.toMatchObject({
      status: 0,
      message: "PutObject s3://media-output/out/a b+c.json: no answer in time after 2 attempts",
    });
    expect(standIn.requests).toHaveLength(2);
  });

  it("bounds the read of an answer's body by the same deadline, and retries it", async () => {
    standIn.script(["stall-body", "stall-body"]);
    // Long enough for the answer's head to come on a loaded machine (the body never does): the
    // message says which part the deadline cut, and an unbounded read would hang the test instead.
    const { objects: stalled } = standIn.objects({ maxAttempts: 2, attemptTimeoutMs: 1000 });
    await expect(stalled.listObjectsV2({ bucket: "b", prefix: "movie/" })).rejects.toMatchObject({
      status: 0,
      message: "ListObjectsV2 s3://b/movie/: HTTP 200 answer not read in time after 2 attempts",
    });
    expect(standIn.requests).toHaveLength(2);
  });

  it("retries a server that cannot be reached, then names the failure", async () => {
    const closed = await startEmulatorServer([], 0, "a closed port");
    await closed.stop();
    const { objects: unreachable, sleeps } = standIn.objects({
      location: s3Location(STAND_IN_REGION, closed.endpoint),
    });
    const error = (await unreachable.putObject(putInput).catch((caught: unknown) => caught)) as S3RequestError;
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(
      /^PutObject s3:\/\/media-output\/out\/a b\+c\.json: no answer \(connect ECONNREFUSED .+\) after 3 attempts$/,
    );
    expect(sleeps).toHaveLength(2);
  });
});

describe("the policy's pure parts", () => {
  it("retries what the SDK's standard mode retries, and nothing else", () => {
    expect([500, 502, 503, 504, 429].every((status) => isRetryableAnswer(status, undefined))).toBe(true);
    expect(isRetryableAnswer(400, "RequestTimeout")).toBe(true);
    expect([400, 403, 404, 409, 412].some((status) => isRetryableAnswer(status, "AccessDenied"))).toBe(false);
  });

  it("backs off with full jitter from 100 ms, doubling, at most 20 s", () => {
    expect([1, 2, 3].map((retry) => retryDelayMs(retry, () => 1))).toEqual([200, 400, 800]);
    expect(retryDelayMs(30, () => 1)).toBe(20_000);
    expect(retryDelayMs(1, () => 0)).toBe(0);
  });

  it("reads S3's error code, and nothing that is not one", () => {
    expect(s3ErrorCode("<Error><Code>NoSuchBucket</Code><Message>x</Message></Error>")).toBe("NoSuchBucket");
    expect(s3ErrorCode("<html>502 Bad Gateway</html>")).toBeUndefined();
    expect(s3ErrorCode("<Code><script></Code>")).toBeUndefined();
  });
});
