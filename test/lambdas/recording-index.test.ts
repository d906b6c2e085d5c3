/**
 * recording-index against the local S3 server: it rebuilds the day index of every segment an
 * event names, trusts it up to the last settled hour, and a late upload's event brings it back in
 * line. The conditional write that orders concurrent rebuilds is checked at the SDK boundary.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { readRecordingIndexConfig } from "../../aws-lambdas/recording-index/config.ts";
import {
  createRecordingIndexHandler,
  daysToIndex,
  rebuildDay,
} from "../../aws-lambdas/recording-index/recording-index.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { decodeRecordingIndex, recordingIndexKey } from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { buckets, s3Notification, testClients, uniquePrefix } from "./support.ts";

const { s3 } = testClients();
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z

async function put(key: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: buckets.recordings, Key: key, Body: "ts" }));
}

async function readIndex(streamPrefix: string, day: number) {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: buckets.recordings, Key: recordingIndexKey(streamPrefix, day) }),
  );
  return decodeRecordingIndex(await object.Body!.transformToString(), day, 30);
}

describe("recording-index", () => {
  it("indexes the segment's two-day span, trusted up to the last settled hour; a late upload re-indexes it", async () => {
    const prefix = uniquePrefix("rec").slice(0, -1);
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: prefix, RECORDING_SEGMENT_SECONDS: "30" });
    const stream = `${prefix}/cam1/`;
    const starts = [T0 - 30, T0, T0 + 30, T0 + 3600, T0 + 7200 + 5, T0 + 86_400];
    for (const start of starts) await put(stream + formatSegmentName(start));
    // Not segments, or another stream's: never in this index.
    await put(`${stream}notes.txt`);
    await put(`${stream}sub/${formatSegmentName(T0 + 60)}`);
    let now = T0 + 7200 + 90; // 02:01:30: the hour before 02:00 has settled (two segments late)
    const log = memoryLog();
    const handler = createRecordingIndexHandler({ config, s3, log, now: () => now });
    const event = (key: string) => s3Notification([{ key, bucket: buckets.recordings }], encodeS3EventKey);

    // T0 starts a two-day index span: T0 - 30 belongs to the previous one, and T0's object carries
    // its hour (the last of that span); the previous span's object carries T0's first hour.
    const result = await handler(event(stream + formatSegmentName(T0 + 30)));
    expect(result.indexed).toEqual([
      { bucket: buckets.recordings, streamPrefix: stream, day: T0, segments: 6 },
      { bucket: buckets.recordings, streamPrefix: stream, day: T0 - 2 * 86_400, segments: 3 },
    ]);
    expect(await readIndex(stream, T0)).toEqual({
      coveredUntil: T0 + 7200,
      names: [T0 - 30, T0, T0 + 30, T0 + 3600, T0 + 7200 + 5, T0 + 86_400].map(formatSegmentName),
    });
    expect(await readIndex(stream, T0 - 2 * 86_400)).toEqual({
      coveredUntil: T0 + 3600,
      names: [T0 - 30, T0, T0 + 30].map(formatSegmentName),
    });

    // A recorder that was offline uploads a segment of a settled hour late: its event re-indexes the day.
    await put(stream + formatSegmentName(T0 + 1800));
    now = T0 + 3 * 86_400;
    await handler(event(stream + formatSegmentName(T0 + 1800)));
    expect(await readIndex(stream, T0)).toEqual({
      coveredUntil: T0 + 2 * 86_400 + 3600,
      names: [T0 - 30, T0, T0 + 30, T0 + 1800, T0 + 3600, T0 + 7200 + 5, T0 + 86_400].map(formatSegmentName),
    });

    // A late segment of the last hour of the span before: that span's object and T0's (which
    // carries the hour) are both rewritten, so neither trusts a block without it.
    await put(stream + formatSegmentName(T0 - 600));
    const late = await handler(event(stream + formatSegmentName(T0 - 600)));
    expect(late.indexed.map(({ day }) => day)).toEqual([T0 - 2 * 86_400, T0]);
    for (const day of [T0 - 2 * 86_400, T0]) {
      expect((await readIndex(stream, day))!.names.slice(0, 2)).toEqual([T0 - 600, T0 - 30].map(formatSegmentName));
    }
  });

  it("ignores keys outside the prefix and names that are not segments; each span once per event", () => {
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: "movie" });
    const event = s3Notification(
      [
        { key: `movie/cam/${formatSegmentName(T0)}` },
        { key: `movie/cam/${formatSegmentName(T0 + 30)}` },
        { key: `movie/${formatSegmentName(T0 - 30)}` },
        { key: `other/cam/${formatSegmentName(T0)}` },
        { key: "movie/cam/20240102T0000.ts" },
        { key: "movie/cam/~index/20240102.txt" },
      ],
      encodeS3EventKey,
    );
    // A segment of a span's first or last hour: also the neighbour that carries that hour.
    expect(daysToIndex(event, config).map(({ streamPrefix, day }) => ({ streamPrefix, day }))).toEqual([
      { streamPrefix: "movie/cam/", day: T0 },
      { streamPrefix: "movie/cam/", day: T0 - 2 * 86_400 },
      { streamPrefix: "movie/", day: T0 - 2 * 86_400 },
      { streamPrefix: "movie/", day: T0 },
    ]);
  });

  it("writes conditionally on the ETag it read, and lists again when another rebuild wrote first", async () => {
    const client = new S3Client({ region: "us-east-1" });
    const mock = mockClient(client);
    const precondition = Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
      name: "PreconditionFailed",
      $metadata: { httpStatusCode: 412 },
    });
    mock.on(HeadObjectCommand).resolvesOnce({ ETag: '"v1"' }).resolves({ ETag: '"v2"' });
    mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `movie/${formatSegmentName(T0)}` }] });
    mock.on(PutObjectCommand).rejectsOnce(precondition).resolves({});
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: "movie" });
    const target = { bucket: "b", streamPrefix: "movie/", day: T0 };
    expect(await rebuildDay(client, target, config, T0 + 86_400 * 2)).toBe(1);
    const puts = mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.IfMatch)).toEqual(['"v1"', '"v2"']);
    expect(puts[1]).toMatchObject({ Bucket: "b", Key: "movie/~index/20240102.txt" });
  });
});
