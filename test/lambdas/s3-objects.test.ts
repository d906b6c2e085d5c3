/**
 * The Lambdas' S3 writer (aws-lambdas/shared/s3-objects.ts): objects land in the local S3 server under
 * the key asked for, with their headers; the signature is the one an independent signer (aws4fetch,
 * the Worker's) computes, since the local server checks none; and the retry policy and its
 * errors, against a stand-in that answers what s3rver never does (503, 403, silence).
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { AwsV4Signer } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createS3Writer,
  isRetryableAnswer,
  retryDelayMs,
  s3ErrorCode,
  S3RequestError,
  type S3ObjectsOptions,
} from "../../aws-lambdas/shared/s3-objects.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { type EmulatorServer, readBody, startEmulatorServer } from "../../local/emulators/http.ts";
import { s3Location } from "../../worker/aws/s3-url.ts";
import { buckets, getText, testClients, uniquePrefix } from "./support.ts";

const { s3, writer } = testClients();

describe("putObject against the local S3 server", () => {
  it.each([
    "info.json",
    "a b+c%2B(ü).json",
    "動画 ファイル/emoji 🎬.ndjson",
    "semi;colon,comma=equals&amp/quote'star*bang!.json",
  ])("writes %j under exactly that key, with its body and headers", async (name) => {
    const key = `${uniquePrefix("writer")}${name}`;
    const body = '{"title":"Café ☕","faces":[1,2,3]}\n';
    await writer.putObject({
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
    await writer.putObject({ bucket: buckets.output, key, body: "first", contentType: "text/plain" });
    await writer.putObject({ bucket: buckets.output, key, body: "second", contentType: "text/plain" });
    expect(await getText(s3, buckets.output, key)).toBe("second");
  });

  it("refuses a key that a URL would silently turn into another one, before sending anything", async () => {
    await expect(
      writer.putObject({ bucket: buckets.output, key: "a/../b.json", body: "x", contentType: "text/plain" }),
    ).rejects.toThrow('"." or ".."');
  });
});

/** One request as the stand-in received it. */
interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the stand-in does with each request, in turn: answer with a status and an S3 error code, or never. */
type Script = Array<{ status: number; code?: string } | "silence">;

const standIn = {
  requests: [] as Captured[],
  script: [] as Script,
};
let server: EmulatorServer;

beforeAll(async () => {
  server = await startEmulatorServer(
    [
      async (request, response) => {
        standIn.requests.push({
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: await readBody(request),
        });
        const step = standIn.script.shift() ?? { status: 200 };
        if (step === "silence") return true;
        if (step.status === 200) {
          response.writeHead(200, { etag: '"0"' }).end();
          return true;
        }
        // As S3 answers: the code, and a body that echoes what was signed (never to be repeated).
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${step.code}</Code><Message>m</Message><StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign></Error>`;
        response.writeHead(step.status, { "content-type": "application/xml" }).end(xml);
        return true;
      },
    ],
    0,
    "the S3 stand-in",
  );
});
afterAll(() => server.stop());

const SIGNING_TIME = new Date("2026-11-21T12:00:00Z");

function standInWriter(overrides: Partial<S3ObjectsOptions> = {}) {
  const sleeps: number[] = [];
  const options: S3ObjectsOptions = {
    region: "ap-northeast-1",
    location: s3Location("ap-northeast-1", server.endpoint),
    credentials: async () => ({ ...LOCAL_CREDENTIALS, sessionToken: "session-token" }),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    now: () => SIGNING_TIME,
    ...overrides,
  };
  return { writer: createS3Writer(options), sleeps };
}

function run(script: Script): void {
  standIn.requests = [];
  standIn.script = [...script];
}

const input = { bucket: "media-output", key: "out/a b+c.json", body: '{"ü":1}', contentType: "application/json" };

describe("the request putObject sends", () => {
  it("is signed as aws4fetch signs it, with the payload's SHA-256 and the session token signed", async () => {
    run([]);
    await standInWriter().writer.putObject(input);
    const [sent] = standIn.requests;
    expect({ method: sent!.method, url: sent!.url, body: sent!.body }).toEqual({
      method: "PUT",
      url: "/media-output/out/a%20b%2Bc.json",
      body: input.body,
    });
    const payloadHash = createHash("sha256").update(input.body).digest("hex");
    expect(sent!.headers["x-amz-content-sha256"]).toBe(payloadHash);
    expect(sent!.headers["x-amz-security-token"]).toBe("session-token");
    const authorization = String(sent!.headers.authorization);
    expect(authorization).toContain(
      "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,",
    );
    // The same request signed by an independent implementation, at the same time, over the same
    // headers (allHeaders: aws4fetch would otherwise leave content-type out, which the SDK signs).
    const independent = new AwsV4Signer({
      url: `${server.endpoint}${sent!.url}`,
      method: "PUT",
      headers: { "content-type": input.contentType, "x-amz-content-sha256": payloadHash },
      body: input.body,
      ...LOCAL_CREDENTIALS,
      sessionToken: "session-token",
      region: "ap-northeast-1",
      service: "s3",
      datetime: "20261121T120000Z",
      allHeaders: true,
    });
    expect(authorization).toBe((await independent.sign()).headers.get("authorization"));
  });

  it("sends Cache-Control, unsigned as the SDK leaves it", async () => {
    run([]);
    await standInWriter().writer.putObject({ ...input, cacheControl: "no-cache" });
    const [sent] = standIn.requests;
    expect(sent!.headers["cache-control"]).toBe("no-cache");
    expect(String(sent!.headers.authorization)).toContain("SignedHeaders=content-type;host;");
  });
});

describe("putObject's retries and errors", () => {
  it("retries 503 SlowDown with full-jitter backoff, and succeeds on the third attempt", async () => {
    run([
      { status: 503, code: "SlowDown" },
      { status: 500, code: "InternalError" },
    ]);
    const { writer: flaky, sleeps } = standInWriter();
    await flaky.putObject(input);
    expect(standIn.requests).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
    expect(new Set(standIn.requests.map((request) => request.body))).toEqual(new Set([input.body]));
  });

  it("gives up after three attempts with the status and S3's code, never S3's body", async () => {
    run([
      { status: 503, code: "SlowDown" },
      { status: 503, code: "SlowDown" },
      { status: 503, code: "SlowDown" },
    ]);
    const error = await standInWriter()
      .writer.putObject(input)
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

  it("does not retry a refusal (403 AccessDenied)", async () => {
    run([{ status: 403, code: "AccessDenied" }]);
    await expect(standInWriter().writer.putObject(input)).rejects.toMatchObject({
      status: 403,
      code: "AccessDenied",
      message: "PutObject s3://media-output/out/a b+c.json: HTTP 403 AccessDenied",
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it("retries S3's 400 RequestTimeout", async () => {
    run([{ status: 400, code: "RequestTimeout" }]);
    await standInWriter().writer.putObject(input);
    expect(standIn.requests).toHaveLength(2);
  });

  it("bounds an attempt that gets no answer, and says so", async () => {
    run(["silence", "silence"]);
    const { writer: silent } = standInWriter({ maxAttempts: 2, attemptTimeoutMs: 200 });
    await expect(silent.putObject(input)).rejects.toMatchObject({
      status: 0,
      message: "PutObject s3://media-output/out/a b+c.json: no answer in time after 2 attempts",
    });
    expect(standIn.requests).toHaveLength(2);
  });

  it("retries a server that cannot be reached, then names the failure", async () => {
    const closed = await startEmulatorServer([], 0, "a closed port");
    await closed.stop();
    const { writer: unreachable, sleeps } = standInWriter({ location: s3Location("ap-northeast-1", closed.endpoint) });
    const error = (await unreachable.putObject(input).catch((caught: unknown) => caught)) as S3RequestError;
    expect(error).toBeInstanceOf(S3RequestError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(
      /^PutObject s3:\/\/media-output\/out\/a b\+c\.json: no answer \(.+\) after 3 attempts$/,
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
