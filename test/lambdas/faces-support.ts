/**
 * Helpers for the face-detection Lambda tests: a Rekognition client mocked at the SDK level
 * (aws-sdk-client-mock) serving documented-shape GetFaceDetection pages, SNS events, and a fake Lambda
 * context whose remaining time the test controls.
 */
import { readFileSync } from "node:fs";
import {
  type FaceDetection,
  GetFaceDetectionCommand,
  type GetFaceDetectionCommandInput,
  type GetFaceDetectionCommandOutput,
  RekognitionClient,
  RekognitionServiceException,
} from "@aws-sdk/client-rekognition";
import { mockClient } from "aws-sdk-client-mock";
import { fixture } from "./support.ts";

/** The documented-shape page fixture (two faces with DEFAULT attributes). */
export const PAGE_FIXTURE = JSON.parse(
  readFileSync(new URL("../fixtures/rekognition/get-face-detection-page.json", import.meta.url), "utf8"),
) as GetFaceDetectionCommandOutput & { Faces: FaceDetection[] };

/** A Rekognition client (never reaches AWS: every command is mocked) and its mock. */
export function mockedRekognition() {
  const client = new RekognitionClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  return { client, mock: mockClient(client) };
}

/** An AWS-shaped service error, as the SDK throws it. */
export function serviceError(name: string, message: string, status = 400): RekognitionServiceException {
  return new RekognitionServiceException({
    name,
    message,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

/** `count` faces at 200 ms intervals from `startMs`, each a copy of the fixture's first face. */
export function makeFaces(count: number, startMs = 0): FaceDetection[] {
  const template = PAGE_FIXTURE.Faces[0]!.Face!;
  return Array.from({ length: count }, (_, index) => ({
    Timestamp: startMs + index * 200,
    Face: { ...template, Confidence: 90 + (index % 10) },
  }));
}

/**
 * Serves `faces` as GetFaceDetection pages of `pageSize`, with opaque tokens `<prefix>-<n>`. The
 * NextToken of every request is recorded in `tokens` (undefined for the first page).
 */
export function pagedResult(faces: FaceDetection[], options: { pageSize?: number; tokenPrefix?: string } = {}) {
  const pageSize = options.pageSize ?? 1000;
  const prefix = options.tokenPrefix ?? "token";
  const tokens: Array<string | undefined> = [];
  const pages = Math.max(1, Math.ceil(faces.length / pageSize));
  const respond = (input: GetFaceDetectionCommandInput): GetFaceDetectionCommandOutput => {
    tokens.push(input.NextToken);
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(prefix.length + 1));
    if (!Number.isInteger(index) || index <= 0 || index >= pages) {
      if (input.NextToken !== undefined) throw serviceError("InvalidPaginationTokenException", "Invalid Token");
    }
    const next = index + 1 < pages ? `${prefix}-${index + 1}` : undefined;
    return {
      $metadata: { httpStatusCode: 200 },
      JobStatus: "SUCCEEDED",
      VideoMetadata: PAGE_FIXTURE.VideoMetadata,
      Faces: faces.slice(index * pageSize, (index + 1) * pageSize),
      ...(next ? { NextToken: next } : {}),
    };
  };
  return { tokens, respond, pages };
}

/** Installs `respond` as the GetFaceDetection behaviour of `mock`. */
export function serveGetFaceDetection(
  mock: ReturnType<typeof mockedRekognition>["mock"],
  respond: (input: GetFaceDetectionCommandInput) => GetFaceDetectionCommandOutput,
): void {
  mock.on(GetFaceDetectionCommand).callsFake(async (input: GetFaceDetectionCommandInput) => respond(input));
}

/** An SNS event carrying a Rekognition completion notification, from the fixture with overrides. */
export function snsNotification(message: {
  JobId: string;
  Status?: string;
  API?: string;
  JobTag?: string | undefined;
  key: string;
  bucket?: string;
}): Record<string, unknown> {
  const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>(
    "sns/rekognition-face-detection-succeeded.json",
  );
  const body = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
  body.JobId = message.JobId;
  body.Status = message.Status ?? "SUCCEEDED";
  body.API = message.API ?? "StartFaceDetection";
  if (message.JobTag === undefined) delete body.JobTag;
  else body.JobTag = message.JobTag;
  body.Video = { S3ObjectName: message.key, S3Bucket: message.bucket ?? "media-input" };
  event.Records[0]!.Sns.Message = JSON.stringify(body);
  return event;
}

/** A Lambda context whose remaining time is whatever `remaining()` says. */
export function fakeContext(remaining: () => number) {
  return { awsRequestId: "test-request", getRemainingTimeInMillis: remaining };
}
