/**
 * The local servers do not verify SigV4 signatures, so signing is checked here: for the exact
 * requests the Worker sends, the Authorization header of the Worker's signAws (aws4fetch's signer)
 * must equal the one the AWS SDK's signer (@smithy/signature-v4) computes for the same request,
 * date and credentials.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { s3ObjectUrl, s3BucketUrl } from "../../worker/aws/s3-url.ts";
import { signAws } from "../../worker/aws/upstream.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const region = "ap-northeast-1";
const datetime = "20261121T120000Z";
const signingDate = new Date("2026-11-21T12:00:00Z");

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** node:crypto behind the SDK's Checksum interface (the SDK normally brings @aws-crypto). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

async function workerAuthorization(
  service: "s3" | "dynamodb",
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  sessionToken?: string,
) {
  const signed = await signAws(
    { ...credentials, sessionToken, region },
    service,
    { url, method, headers, body },
    { datetime },
  );
  return { authorization: signed.headers.get("authorization")!, headers: signed.headers };
}

async function smithyAuthorization(
  service: "s3" | "dynamodb",
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  sessionToken?: string,
) {
  const parsed = new URL(url);
  // S3 keys are signed exactly as sent (no second encoding, no path normalisation), as the SDK's
  // S3 client does with uriEscapePath: false. Other services use the default.
  const signer = new SignatureV4({
    credentials: { ...credentials, sessionToken },
    region,
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== "s3",
    // The payload hash is always part of the signature; only S3 also sends it as a header.
    applyChecksum: service === "s3",
  });
  const query: Record<string, string> = {};
  parsed.searchParams.forEach((value, name) => (query[name] = value));
  const signed = await signer.sign(
    {
      method,
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : undefined,
      path: parsed.pathname,
      query,
      headers: { host: parsed.host, ...headers },
      body,
    },
    { signingDate },
  );
  return signed.headers.authorization ?? signed.headers.Authorization;
}

const awkwardKeys = [
  "movie/20261121T120000Z.ts",
  "uploads/a b.mp4",
  "uploads/a+b.mp4",
  "uploads/a b+c%2B(ü).mp4",
  "uploads/100%.mp4",
  "uploads/動画 ファイル.mov",
  "uploads/emoji 🎬.mp4",
  "uploads/semi;colon,comma=equals&amp.mp4",
  "uploads/quote'star*bang!.mp4",
  "a//double/slash.ts",
];

describe("signAws signs our S3 requests like the AWS SDK", () => {
  const location = { endpoint: `https://s3.${region}.amazonaws.com`, pathStyle: false };

  it.each(awkwardKeys)("GetObject %j", async (key) => {
    const url = s3ObjectUrl(location, "media-output", key);
    const { authorization, headers } = await workerAuthorization("s3", url, "GET", {});
    const expected = await smithyAuthorization("s3", url, "GET", {
      "x-amz-date": datetime,
      "x-amz-content-sha256": headers.get("x-amz-content-sha256")!,
    });
    expect(authorization).toBe(expected);
  });

  it("GetObject through a path-style endpoint (local and S3-compatible servers)", async () => {
    const url = s3ObjectUrl({ endpoint: "http://127.0.0.1:4568", pathStyle: true }, "media-output", "a b+c.ts");
    expect(url).toBe("http://127.0.0.1:4568/media-output/a%20b%2Bc.ts");
    const { authorization, headers } = await workerAuthorization("s3", url, "GET", {});
    const expected = await smithyAuthorization("s3", url, "GET", {
      "x-amz-date": datetime,
      "x-amz-content-sha256": headers.get("x-amz-content-sha256")!,
    });
    expect(authorization).toBe(expected);
  });

  it("ListObjectsV2 with start-after and a continuation token", async () => {
    const query = new URLSearchParams({
      "list-type": "2",
      prefix: "movie/cam 1/",
      "start-after": "movie/cam 1/20261121T115930Z.ts",
      "continuation-token": "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
    });
    const url = s3BucketUrl(location, "media-recordings", query);
    const { authorization, headers } = await workerAuthorization("s3", url, "GET", {});
    const expected = await smithyAuthorization("s3", url, "GET", {
      "x-amz-date": datetime,
      "x-amz-content-sha256": headers.get("x-amz-content-sha256")!,
    });
    expect(authorization).toBe(expected);
  });

  it("would mis-sign a raw '+' in the path (why s3ObjectUrl encodes keys itself)", async () => {
    const url = `https://media-output.s3.${region}.amazonaws.com/uploads/a+b.mp4`;
    const { authorization, headers } = await workerAuthorization("s3", url, "GET", {});
    const expected = await smithyAuthorization("s3", url, "GET", {
      "x-amz-date": datetime,
      "x-amz-content-sha256": headers.get("x-amz-content-sha256")!,
    });
    expect(authorization).not.toBe(expected);
  });
});

/** A DynamoDB GetItem as the Worker sends it (worker/aws/dynamodb.ts). */
const dynamoDbUrl = `https://dynamodb.${region}.amazonaws.com/`;
const getItemHeaders = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" };
const getItemBody = (table: string, keyName: string, key: string) =>
  JSON.stringify({ TableName: table, Key: { [keyName]: { S: key } } });

/** The SDK signer's Authorization for that GetItem: aws4fetch leaves content-type unsigned, so the SDK signs the same set. */
const smithyGetItemAuthorization = (body: string, sessionToken?: string) =>
  smithyAuthorization(
    "dynamodb",
    dynamoDbUrl,
    "POST",
    { "x-amz-date": datetime, "x-amz-target": getItemHeaders["x-amz-target"] },
    body,
    sessionToken,
  );

describe("signAws signs our DynamoDB requests like the AWS SDK", () => {
  it.each(["Big Buck Bunny.mp4", "a b+c%2B(ü).mp4", "動画.mp4"])("GetItem for %j", async (key) => {
    const body = getItemBody("MediaConvertInputFileToJobId", "InputFile", key);
    const { authorization } = await workerAuthorization("dynamodb", dynamoDbUrl, "POST", getItemHeaders, body);
    expect(authorization).toBe(await smithyGetItemAuthorization(body));
  });
});

describe("signAws with temporary credentials (AWS_SESSION_TOKEN)", () => {
  it("sends and signs X-Amz-Security-Token like the AWS SDK", async () => {
    const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==";
    const body = getItemBody("MediaConvertJobIdToStatus", "JobId", "1");
    const signed = await workerAuthorization("dynamodb", dynamoDbUrl, "POST", getItemHeaders, body, sessionToken);
    expect(signed.headers.get("x-amz-security-token")).toBe(sessionToken);
    expect(signed.authorization).toContain("x-amz-security-token");
    expect(signed.authorization).toBe(await smithyGetItemAuthorization(body, sessionToken));
  });
});
