/**
 * Why the Lambda bundles may leave out the SDK's JavaScript CRC32C and CRC64NVME
 * (aws-lambdas/shared/no-js-crcs.ts): no function sends an S3 request through the SDK any more
 * (aws-lambdas/shared/s3-objects.ts signs them itself), and the requests recording-index sent
 * through it, sent with the production client configuration (flexible checksums "when supported"),
 * build neither, even against responses that carry both checksums; a GetObject does.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { HttpResponse } from "@smithy/core/protocols";
import { describe, expect, it } from "vitest";
import * as standIn from "../../aws-lambdas/shared/no-js-crcs.ts";
import { bundledS3Operations, bundledSources } from "../support/lambda-sources.ts";

const LISTING =
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>';

/** An S3 client as in AWS (shared/clients.ts without endpoints) whose CRC32C and CRC64NVME count their uses. */
function probedClient(built: string[], sent: Array<Record<string, string>> = []): S3Client {
  const probe = (algorithm: string) =>
    class {
      constructor() {
        built.push(algorithm);
      }
      update(): void {}
      async digest(): Promise<Uint8Array> {
        return new Uint8Array(8);
      }
      reset(): void {}
    };
  return new S3Client({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    checksumAlgorithms: { CRC32C: probe("CRC32C"), CRC64NVME: probe("CRC64NVME") },
    // Every response carries both checksums, as S3 may send them.
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; query?: Record<string, unknown> }) => {
        sent.push(request.headers);
        const headers = {
          etag: '"e"',
          "x-amz-checksum-crc32c": "AAAAAA==",
          "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
          "x-amz-checksum-type": "FULL_OBJECT",
        };
        const body = Readable.from([Buffer.from(request.query?.["list-type"] ? LISTING : "")]);
        return { response: new HttpResponse({ statusCode: 200, headers, body }) };
      },
    },
  });
}

describe("CRC32C and CRC64NVME in the Lambdas' S3 requests", () => {
  it("no source of the functions picks a request checksum algorithm or asks for response validation", async () => {
    const sources = (await bundledSources()).filter((file) => !file.endsWith("no-js-crcs.ts"));
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      // A request member, not the element of a listing that the listing parser names (<ChecksumAlgorithm>).
      expect(readFileSync(file, "utf8"), file).not.toMatch(/(?<![</\\])\b(ChecksumAlgorithm|ChecksumMode)\b/);
    }
  });

  it("the functions call no S3 operation through the SDK (one that does must be added to the next test)", async () => {
    expect(await bundledS3Operations()).toEqual([]);
  });

  it("PutObject, HeadObject and ListObjectsV2, as recording-index sent them through the S3 client, build neither", async () => {
    const built: string[] = [];
    const sent: Array<Record<string, string>> = [];
    const s3 = probedClient(built, sent);
    await s3.send(
      new PutObjectCommand({ Bucket: "b", Key: "k", Body: "index", ContentType: "text/plain", IfNoneMatch: "*" }),
    );
    await s3.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    await s3.send(new ListObjectsV2Command({ Bucket: "b", Prefix: "p/", Delimiter: "/", StartAfter: "p/a" }));
    expect(built).toEqual([]);
    // The flexible checksums ran: PutObject carries the default algorithm's checksum, CRC32 (zlib's).
    expect(sent[0]).toHaveProperty("x-amz-checksum-crc32");
  });

  it("a GetObject (which validates its response checksum) builds one: the probes see a use", async () => {
    const built: string[] = [];
    await probedClient(built)
      .send(new GetObjectCommand({ Bucket: "b", Key: "k" }))
      .then((output) => output.Body?.transformToString())
      .catch(() => undefined);
    expect(built.length).toBeGreaterThan(0);
  });

  it("the bundles' stand-ins fail loudly if a function ever asked for one", () => {
    expect(() => new standIn.Crc32cJs()).toThrow(/not bundled in the Lambdas/);
    expect(() => new standIn.Crc64NvmeJs()).toThrow(/not bundled in the Lambdas/);
  });
});
