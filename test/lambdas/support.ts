/**
 * Helpers for the Lambda tests: clients for the DynamoDB Local and S3 server that the node project's
 * globalSetup started, fixtures, and unique names so test files can share the tables in parallel.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, inject } from "vitest";
import type { S3Objects } from "../../aws-lambdas/shared/s3-objects.ts";
import { localDynamoDbClient, localS3Client, localS3Objects } from "../../local/aws.ts";
import { DEFAULT_BUCKETS, DEFAULT_TABLES, TABLE_KEYS, type TableRole } from "../../model/index.ts";

export const tables = DEFAULT_TABLES;
export const buckets = DEFAULT_BUCKETS;

/**
 * A document client for the test DynamoDB Local, an S3 client for the test S3 server (destroyed
 * after the file's last test) and the Lambdas' S3 requests (aws-lambdas/shared/s3-objects.ts) for
 * the same server. Call at the file's top level.
 */
export function testClients(): { doc: DynamoDBDocumentClient; s3: S3Client; objects: S3Objects } {
  const doc = DynamoDBDocumentClient.from(localDynamoDbClient(inject("dynamodbEndpoint")), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = localS3Client(inject("s3Endpoint"));
  afterAll(() => {
    doc.destroy();
    s3.destroy();
  });
  return { doc, s3, objects: localS3Objects(inject("s3Endpoint")) };
}

/** A prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}/`;
}

/** A job id shaped like MediaConvert's (`<ms timestamp>-<6 chars>`), unique per call. */
export function fakeJobId(): string {
  return `${Date.now()}-${randomUUID().replace(/-/g, "").slice(0, 6)}`;
}

/** Reads a JSON fixture under test/fixtures/events/. */
export function fixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${path}`, import.meta.url), "utf8")) as T;
}

/** Reads one row by its key, or undefined. */
export async function getRow(
  doc: DynamoDBDocumentClient,
  role: TableRole,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  const result = await doc.send(
    new GetCommand({ TableName: tables[role], Key: { [TABLE_KEYS[role]]: key }, ConsistentRead: true }),
  );
  return result.Item;
}

/** What submit-job leaves behind for job `jobId`: its output row and SUBMITTED status row. Returns `jobId`. */
export async function putSubmittedJob(
  doc: DynamoDBDocumentClient,
  jobId: string,
  outputPath: string,
  inputFile = "uploads/input.mp4",
): Promise<string> {
  await doc.send(
    new PutCommand({
      TableName: tables.jobIdToOutput,
      Item: {
        JobId: jobId,
        InputFile: inputFile,
        InputBucket: buckets.input,
        OutputBucket: buckets.output,
        OutputPath: outputPath,
        KeyFile: "input.key",
        KeyValue: "00112233445566778899aabbccddeeff",
        CreationTime: 1763728496,
      },
    }),
  );
  await doc.send(
    new PutCommand({
      TableName: tables.jobIdToStatus,
      Item: {
        JobId: jobId,
        JobStatus: "SUBMITTED",
        ProgressRate: 0,
        StatusRank: 0,
        InputFile: inputFile,
        Warnings: {},
        CreationTime: 1763728496,
        ExpirationTime: 1763728496 + 86_400,
      },
    }),
  );
  return jobId;
}

/** Body of an S3 object as text, or undefined when it does not exist. */
export async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Every key under a prefix. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const result = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (result.Contents ?? []).map((object) => object.Key!);
}

/** An S3 notification for one object (key given decoded; encoded here the way S3 does). */
export function s3Notification(
  objects: Array<{
    key: string;
    bucket?: string;
    size?: number;
    eTag?: string;
    versionId?: string;
    sequencer?: string;
    eventName?: string;
  }>,
  encode: (key: string) => string,
): Record<string, unknown> {
  const template = fixture<{ Records: Array<Record<string, unknown>> }>("s3/notification-put.json").Records[0]!;
  return {
    Records: objects.map((object) => {
      const record = structuredClone(template) as {
        eventName: string;
        s3: { bucket: { name: string; arn: string }; object: Record<string, unknown> };
      };
      record.eventName = object.eventName ?? "ObjectCreated:Put";
      record.s3.bucket.name = object.bucket ?? buckets.input;
      record.s3.bucket.arn = `arn:aws:s3:::${record.s3.bucket.name}`;
      record.s3.object = {
        key: encode(object.key),
        size: object.size ?? 1_048_576,
        eTag: object.eTag ?? randomUUID().replace(/-/g, ""),
        ...(object.versionId ? { versionId: object.versionId } : {}),
        sequencer: object.sequencer ?? "0055AED6DCD90281E5",
      };
      return record;
    }),
  };
}
