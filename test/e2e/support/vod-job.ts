/**
 * A finished MediaConvert job as the end-to-end tests lay it out: HLS files in the output bucket of
 * the local S3 server under the job's output path, and the DynamoDB rows submit-job and job-state
 * write (status COMPLETE with the seed's Playlists map, the content key in the output row). Plus
 * the Worker settings and tokens those tests share.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { localDynamoDbClient, localS3Client } from "../../../local/aws.ts";
import { LOCAL_CREDENTIALS } from "../../../local/constants.ts";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../../model/index.ts";
import { jobScope, mintToken, type TokenPurpose } from "../../../worker/auth/tokens.ts";

/** TOKEN_SECRET of the Worker under test (test-only, not a secret). */
export const E2E_TOKEN_SECRET = "e2e-token-secret-0123456789abcdef0123456789";
/** Where MediaConvert writes a job's files: `<OUTPUT_PATH><job id>/`. */
export const OUTPUT_PATH = "e2e/Clip Test.mp4_20240102T030000Z/";
/** The master playlist (the seed's `Playlists[".m3u8"]`) and its one rendition. */
export const MASTER_NAME = "Clip Test.m3u8";
export const RENDITION_BASE = "Clip Test_180p";

/** A one-rendition ABR master, as MediaConvert writes it. */
export const MASTER = [
  "#EXTM3U",
  "#EXT-X-VERSION:3",
  "#EXT-X-INDEPENDENT-SEGMENTS",
  '#EXT-X-STREAM-INF:BANDWIDTH=600000,CODECS="avc1.42c00d,mp4a.40.2",RESOLUTION=320x180',
  `${RENDITION_BASE}.m3u8`,
  "",
].join("\n");

export interface LocalEndpoints {
  dynamodbEndpoint: string;
  s3Endpoint: string;
}

/** The Worker's variables for `wrangler dev` against the local servers, signed playback. */
export function workerVars(endpoints: LocalEndpoints, overrides: Record<string, string>): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    S3_ENDPOINT: endpoints.s3Endpoint,
    TOKEN_SECRET: E2E_TOKEN_SECRET,
    PLAYBACK_POLICY: "signed",
    KEY_TOKEN_TTL_SECONDS: "300",
    ...overrides,
  };
}

export interface UploadObject {
  key: string;
  body: string | Buffer;
}

/** Puts `objects` into `bucket` of the local S3 server, all at once, with one client. */
export async function uploadObjects(s3Endpoint: string, bucket: string, objects: UploadObject[]): Promise<void> {
  const s3 = localS3Client(s3Endpoint);
  try {
    await Promise.all(
      objects.map(({ key, body }) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
    );
  } finally {
    s3.destroy();
  }
}

/** Puts objects into the output bucket. */
export function uploadOutput(s3Endpoint: string, objects: UploadObject[]): Promise<void> {
  return uploadObjects(s3Endpoint, DEFAULT_BUCKETS.output, objects);
}

/** Uploads every file of `dir` and the master under the job's output path. */
export async function uploadJobFiles(s3Endpoint: string, jobId: string, dir: string): Promise<void> {
  const prefix = `${OUTPUT_PATH}${jobId}/`;
  await uploadOutput(s3Endpoint, [
    ...readdirSync(dir).map((name) => ({ key: `${prefix}${name}`, body: readFileSync(join(dir, name)) })),
    { key: `${prefix}${MASTER_NAME}`, body: MASTER },
  ]);
}

/** The output row (with the content key) and the COMPLETE status row of a finished job. */
export async function putJobRows(dynamodbEndpoint: string, jobId: string, keyHex: string): Promise<void> {
  const dynamodb = localDynamoDbClient(dynamodbEndpoint);
  const now = Math.floor(Date.now() / 1000);
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: DEFAULT_TABLES.jobIdToOutput,
        Item: {
          JobId: { S: jobId },
          InputFile: { S: "e2e/Clip Test.mp4" },
          OutputBucket: { S: DEFAULT_BUCKETS.output },
          OutputPath: { S: `${OUTPUT_PATH}${jobId}/` },
          KeyFile: { S: "Clip Test.key" },
          KeyValue: { S: keyHex },
          CreationTime: { N: String(now) },
        },
      }),
    );
    await dynamodb.send(
      new PutItemCommand({
        TableName: DEFAULT_TABLES.jobIdToStatus,
        Item: {
          JobId: { S: jobId },
          JobStatus: { S: "COMPLETE" },
          ProgressRate: { N: "100" },
          OutputPath: { S: `${OUTPUT_PATH}${jobId}/` },
          Playlists: { M: { ".m3u8": { S: MASTER_NAME } } },
          PlaylistPaths: { L: [{ S: MASTER_NAME }, { S: `${RENDITION_BASE}.m3u8` }] },
          CreationTime: { N: String(now) },
          ExpirationTime: { N: String(now + 86_400) },
        },
      }),
    );
  } finally {
    dynamodb.destroy();
  }
}

/** A token for the Worker under test, as the customer's backend mints it (`npm run token`). */
export function e2eToken(scope: string, purpose: TokenPurpose, ttlSeconds = 600): Promise<string> {
  return mintToken(E2E_TOKEN_SECRET, { scope, purpose, ttlSeconds });
}

/** The Worker's URL of one of a job's playlists, with a fresh playback token and `query` after it. */
export async function vodUrl(workerUrl: string, jobId: string, playlist: string, query = ""): Promise<string> {
  return `${workerUrl}/api/media/vod/${jobId}/${encodeURIComponent(playlist)}?token=${await e2eToken(jobScope(jobId), "play")}${query}`;
}
