/**
 * Presigned upload URLs (worker/aws/s3-presign.ts) against the AWS SDK's presigner: for the same
 * request, date and credentials, @smithy/signature-v4's `presign` must give the same signature and
 * the same signed headers. The local S3 server does not check signatures, so this is where a
 * mis-signed URL (aws4fetch's "+" problem, an unsigned content-type) would show.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { createAwsEdgeClient } from "../../worker/aws/client.ts";
import { presignS3, type PresignRequest } from "../../worker/aws/s3-presign.ts";
import { uploadKey } from "../../worker/uploads/keys.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const region = "ap-northeast-1";
const signingDate = new Date("2026-11-21T12:00:00Z");
const datetime = "20261121T120000Z";

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** node:crypto behind the SDK's Checksum interface. */
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

function edgeClient(endpoint: string, pathStyle: boolean, sessionToken?: string) {
  return createAwsEdgeClient({
    credentials: { region, ...credentials, ...(sessionToken ? { sessionToken } : {}) },
    endpoints: { dynamodb: "https://dynamodb.invalid", s3: { endpoint, pathStyle } },
    policy: { deadlineMs: 1000, maxAttempts: 1, idleMs: 10_000 },
  });
}

/**
 * The SDK's presign of the request our URL describes. As @aws-sdk/s3-request-presigner does, the
 * payload is UNSIGNED-PAYLOAD (the header is read for the hash, neither hoisted nor signed).
 */
async function smithyPresign(url: URL, headers: Record<string, string>, expiresIn: number, sessionToken?: string) {
  const signer = new SignatureV4({
    credentials: { ...credentials, ...(sessionToken ? { sessionToken } : {}) },
    region,
    service: "s3",
    sha256: NodeSha256,
    uriEscapePath: false,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    if (!name.startsWith("X-Amz-")) query[name] = value;
  });
  const presigned = await signer.presign(
    {
      method: "PUT",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host, ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    },
    {
      signingDate,
      expiresIn,
      unhoistableHeaders: new Set(["x-amz-content-sha256"]),
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
    },
  );
  return presigned.query as Record<string, string>;
}

const awkwardKeys = [
  uploadKey("uploads/", "My clip (1).mp4", signingDate, "0123456789abcdef")!,
  uploadKey("", "動画 ファイル.mov", signingDate, "0123456789abcdef")!,
  "uploads/a+b.mp4",
  "uploads/a b+c%2B(ü).mp4",
  "uploads/quote'star*bang!.mp4",
];

async function compare(
  request: Omit<PresignRequest, "datetime" | "method" | "bucket">,
  location = { endpoint: `https://s3.${region}.amazonaws.com`, pathStyle: false },
  sessionToken?: string,
) {
  const aws = edgeClient(location.endpoint, location.pathStyle, sessionToken);
  const url = new URL(await presignS3(aws, { ...request, bucket: "media-input", method: "PUT", datetime }));
  const expected = await smithyPresign(url, request.headers ?? {}, request.expiresSeconds, sessionToken);
  for (const name of ["X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Credential", "X-Amz-Date"]) {
    expect(url.searchParams.get(name), name).toBe(expected[name]);
  }
  if (sessionToken) expect(url.searchParams.get("X-Amz-Security-Token")).toBe(sessionToken);
  return url;
}

describe("presigned upload URLs sign like the AWS SDK's presigner", () => {
  it.each(awkwardKeys)("single PUT with content-type and content-length signed: %j", async (key) => {
    const url = await compare({
      key,
      expiresSeconds: 900,
      headers: { "content-type": "video/mp4", "content-length": "12345678" },
    });
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
  });

  it.each(awkwardKeys)("UploadPart with partNumber and uploadId: %j", async (key) => {
    const url = await compare({
      key,
      expiresSeconds: 900,
      query: { partNumber: "7", uploadId: "VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA--" },
    });
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("partNumber")).toBe("7");
  });

  it("path-style (local server) with a session token", async () => {
    const url = await compare(
      { key: "uploads/a b.mp4", expiresSeconds: 60, headers: { "content-type": "audio/mpeg", "content-length": "3" } },
      { endpoint: "http://127.0.0.1:4568", pathStyle: true },
      "session/token+with=chars",
    );
    expect(url.pathname).toBe("/media-input/uploads/a%20b.mp4");
  });

  it("refuses an expiry outside 1 s..7 days", async () => {
    const aws = edgeClient("https://s3.amazonaws.com", false);
    for (const expiresSeconds of [0, 604_801, 1.5]) {
      await expect(presignS3(aws, { bucket: "b", key: "k", method: "PUT", expiresSeconds })).rejects.toThrow(/expiry/);
    }
  });
});
