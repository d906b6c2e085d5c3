/**
 * recording-index against the local S3 server: it rebuilds the day index of every segment an
 * event names, trusts it up to the last settled hour, and a late upload's event brings it back in
 * line; a burst of concurrent rebuilds, ordered by the server's conditional writes, all succeed.
 * The requests of a lost race and the listing's pages are checked on the wire against a stand-in
 * (s3-stand-in.ts), which answers each one as scripted: the local server's listings never stop
 * half way through a span.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { readRecordingIndexConfig } from "../../aws-lambdas/recording-index/config.ts";
import {
  createRecordingIndexHandler,
  daysToIndex,
  rebuildIndexObject,
  type RebuildOptions,
} from "../../aws-lambdas/recording-index/recording-index.ts";
import { encodeS3EventKey } from "../../aws-lambdas/shared/s3-events.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { S3RequestError, type S3Objects } from "../../aws-lambdas/shared/s3-objects.ts";
import {
  decodeRecordingIndex,
  indexBlockBytes,
  indexByteRange,
  recordingIndexKey,
  serializeRecordingIndex,
} from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { type Captured, listingXml, s3StandIn } from "./s3-stand-in.ts";
import { buckets, s3Notification, testClients, uniquePrefix } from "./support.ts";

const { s3, objects } = testClients();
const standIn = s3StandIn();
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
    const handler = createRecordingIndexHandler({ config, s3: objects, log, now: () => now });
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

  it("a deleted or expired segment leaves the index; a span whose segments went before it was indexed gets none", async () => {
    const prefix = uniquePrefix("rec").slice(0, -1);
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: prefix, RECORDING_SEGMENT_SECONDS: "30" });
    const stream = `${prefix}/cam1/`;
    const hour = T0 + 5 * 3600;
    const starts = [hour, hour + 30, hour + 60];
    for (const start of starts) await put(stream + formatSegmentName(start));
    const handler = createRecordingIndexHandler({ config, s3: objects, log: memoryLog(), now: () => T0 + 86_400 });
    const event = (start: number, eventName: string, at = stream) =>
      s3Notification([{ key: at + formatSegmentName(start), bucket: buckets.recordings, eventName }], encodeS3EventKey);
    const remove = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: buckets.recordings, Key: key }));
    await handler(event(hour + 60, "ObjectCreated:Put"));
    expect((await readIndex(stream, T0))!.names).toEqual(starts.map(formatSegmentName));

    // Deleted by hand, then expired by a lifecycle rule: each event rebuilds the span without it.
    await remove(stream + formatSegmentName(hour + 30));
    const deleted = await handler(event(hour + 30, "ObjectRemoved:Delete"));
    expect(deleted.indexed).toEqual([{ bucket: buckets.recordings, streamPrefix: stream, day: T0, segments: 2 }]);
    await remove(stream + formatSegmentName(hour));
    await handler(event(hour, "LifecycleExpiration:Delete"));
    expect(await readIndex(stream, T0)).toEqual({ coveredUntil: T0 + 82_800, names: [formatSegmentName(hour + 60)] });

    // A segment gone before its span was ever indexed: no index object is made for an empty span.
    const other = `${prefix}/cam2/`;
    await put(other + formatSegmentName(hour));
    await remove(other + formatSegmentName(hour));
    const gone = await handler(event(hour, "ObjectRemoved:DeleteMarkerCreated", other));
    expect(gone).toEqual({
      indexed: [],
      covered: [],
      empty: [{ bucket: buckets.recordings, streamPrefix: other, day: T0 }],
    });
    await expect(readIndex(other, T0)).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("a segment in two spans' objects: when one rebuild fails, the other is still written, then the event fails", async () => {
    const prefix = uniquePrefix("rec").slice(0, -1);
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: prefix, RECORDING_SEGMENT_SECONDS: "30" });
    const stream = `${prefix}/cam1/`;
    // The first hour of span T0 is also carried by the span before it.
    const start = T0 + 30;
    await put(stream + formatSegmentName(start));
    const [own, neighbour] = [T0, T0 - 2 * 86_400];
    // S3 refuses the write of the span's own object (say a 503 that outlasts the retries).
    const refusing: S3Objects = {
      ...objects,
      putObject: (input) =>
        input.key === recordingIndexKey(stream, own)
          ? Promise.reject(new S3RequestError("PutObject: HTTP 503 SlowDown", 503, "SlowDown"))
          : objects.putObject(input),
    };
    const handler = createRecordingIndexHandler({ config, s3: refusing, log: memoryLog(), now: () => T0 + 86_400 });
    const event = s3Notification(
      [{ key: stream + formatSegmentName(start), bucket: buckets.recordings, eventName: "ObjectCreated:Put" }],
      encodeS3EventKey,
    );
    await expect(handler(event)).rejects.toMatchObject({ status: 503 });
    expect((await readIndex(stream, neighbour))!.names).toEqual([formatSegmentName(start)]);
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
});

/**
 * The Lambdas' S3 requests with the first two conditional writes paired: the first waits until the
 * second is sent, so two rebuilds that read the same state race on every machine, however fast or
 * busy, rather than when timing allows. Counts the writes S3 refused.
 */
function pairedWrites(objects: S3Objects): { objects: S3Objects; refused: () => number } {
  let refused = 0;
  let waiting: (() => void) | "first" | "done" = "first";
  const putObject: S3Objects["putObject"] = async (input) => {
    if (waiting === "first") await new Promise<void>((secondSent) => (waiting = secondSent));
    else if (waiting !== "done") {
      const releaseFirst = waiting;
      waiting = "done";
      releaseFirst();
    }
    try {
      return await objects.putObject(input);
    } catch (error) {
      if (error instanceof S3RequestError && error.status === 412) refused++;
      throw error;
    }
  };
  return { objects: { ...objects, putObject }, refused: () => refused };
}

describe("a burst of uploads (the local S3 server's conditional writes)", () => {
  it("half an hour uploaded at once: every event's rebuild succeeds, and the span lists every segment", async () => {
    const prefix = uniquePrefix("burst").slice(0, -1);
    const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: prefix, RECORDING_SEGMENT_SECONDS: "30" });
    const stream = `${prefix}/cam1/`;
    // A recorder back online after an outage uploads the half hour it buffered, 60 segments one after
    // another; S3 sends an event as each upload ends, and Lambda runs each in its own invocation, at
    // once: the rebuilds overlap the uploads that follow, so their listings differ and they race.
    const starts = Array.from({ length: 60 }, (_, n) => T0 + 3600 + n * 30);
    const paired = pairedWrites(objects);
    const handler = createRecordingIndexHandler({
      config,
      s3: paired.objects,
      log: memoryLog(),
      now: () => T0 + 86_400,
    });
    const invocations: Array<Promise<unknown>> = [];
    const failures: unknown[] = [];
    for (const start of starts) {
      await put(stream + formatSegmentName(start));
      const event = s3Notification(
        [{ key: stream + formatSegmentName(start), bucket: buckets.recordings }],
        encodeS3EventKey,
      );
      invocations.push(handler(event).catch((error: unknown) => failures.push(error)));
    }
    await Promise.all(invocations);
    expect(paired.refused()).toBeGreaterThan(0);
    // None gives up (each would be retried by Lambda, then land in the function's failure queue).
    expect(failures).toEqual([]);
    expect(await readIndex(stream, T0)).toEqual({ coveredUntil: T0 + 82_800, names: starts.map(formatSegmentName) });
  });
});

describe("recording-index's requests (on the wire, against the stand-in)", () => {
  const config = readRecordingIndexConfig({ RECORDINGS_PREFIX: "movie", RECORDING_SEGMENT_SECONDS: "30" });
  const target = { bucket: "b", streamPrefix: "movie/cam 1/", day: T0 };
  const INDEX_URL = "/b/movie/cam%201/~index/20240102.txt";
  const segment = (start: number) => `movie/cam 1/${formatSegmentName(start)}`;
  const listing = listingXml({ keys: [segment(T0), segment(T0 + 30)] });
  const query = (request: Captured) => Object.fromEntries(new URL(request.url, "http://x").searchParams);
  /** A request as "METHOD /path", without its query. */
  const methodAndPath = (request: Captured) => `${request.method} ${request.url.split("?")[0]}`;
  const conditions = (request: Captured) => ({
    ifMatch: request.headers["if-match"],
    ifNoneMatch: request.headers["if-none-match"],
  });
  /** A rebuild that read ETag "v1", listed, and lost its write to another rebuild. */
  const LOST_TO_V1 = [
    { status: 200, headers: { etag: '"v1"' } },
    { status: 200, body: listing },
    { status: 412, code: "PreconditionFailed" },
  ];
  /** The span's rebuild against the stand-in, two days after T0. */
  const rebuild = (options?: RebuildOptions) =>
    rebuildIndexObject(standIn.objects().objects, target, config, T0 + 86_400 * 2, options);

  it("writes conditionally on the ETag it read, and lists again at once when another rebuild wrote first (412) and it awaits no segments (npm run reindex)", async () => {
    standIn.script([
      ...LOST_TO_V1,
      { status: 200, headers: { etag: '"v2"' } },
      { status: 200, body: listing },
      { status: 200 },
    ]);
    expect(await rebuild()).toEqual({ outcome: "written", segments: 2 });
    const sent = standIn.requests;
    expect(sent.map(methodAndPath)).toEqual([
      `HEAD ${INDEX_URL}`,
      "GET /b/",
      `PUT ${INDEX_URL}`,
      `HEAD ${INDEX_URL}`,
      "GET /b/",
      `PUT ${INDEX_URL}`,
    ]);
    expect([sent[2]!, sent[5]!].map(conditions)).toEqual([
      { ifMatch: '"v1"', ifNoneMatch: undefined },
      { ifMatch: '"v2"', ifNoneMatch: undefined },
    ]);
    expect(decodeRecordingIndex(sent[5]!.body, T0, 30)?.names).toEqual([T0, T0 + 30].map(formatSegmentName));
    expect(sent[5]!.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("writes a new span's object only if there is none (If-None-Match: *); a 409 conflict is a lost race too", async () => {
    standIn.script([
      { status: 404 },
      { status: 200, body: listing },
      { status: 409, code: "ConditionalRequestConflict" },
      { status: 200, headers: { etag: '"v1"' } },
      { status: 200, body: listing },
      { status: 200 },
    ]);
    expect(await rebuild()).toEqual({ outcome: "written", segments: 2 });
    const puts = standIn.requests.filter((request) => request.method === "PUT");
    expect(puts.map(conditions)).toEqual([
      { ifMatch: undefined, ifNoneMatch: "*" },
      { ifMatch: '"v1"', ifNoneMatch: undefined },
    ]);
  });

  /** Block `block` of a span object listing `starts` (as one Range GET reads it), trusted up to `coveredUntil`. */
  const blockOf = (starts: number[], coveredUntil: number, block: number) => {
    const body = serializeRecordingIndex(starts.map(formatSegmentName), { span: T0, coveredUntil, segmentSeconds: 30 });
    const size = indexBlockBytes(30);
    return body.slice(block * size, (block + 1) * size);
  };
  // T0 is the object's second block: its first carries the hour before the span.
  const T0_BLOCK = 1;

  it("after a lost race, ends when the winner's object lists the event's segments: one Range GET of their block", async () => {
    standIn.script([
      ...LOST_TO_V1,
      // The winner's block of T0's hour: open (the hour had not settled at its clock), listing T0 and T0 + 30.
      { status: 206, body: blockOf([T0, T0 + 30, T0 + 60], T0, T0_BLOCK) },
    ]);
    const result = await rebuild({
      changes: { listed: [T0, T0 + 30], removed: [] },
    });
    expect(result).toEqual({ outcome: "covered" });
    const sent = standIn.requests;
    expect(sent.map(methodAndPath)).toEqual([`HEAD ${INDEX_URL}`, "GET /b/", `PUT ${INDEX_URL}`, `GET ${INDEX_URL}`]);
    expect(sent[3]!.headers.range).toBe(indexByteRange(T0_BLOCK, T0_BLOCK + 1, 30));
  });

  it("after a lost race, ends when the winner's object no longer lists a removed segment", async () => {
    standIn.script([...LOST_TO_V1, { status: 206, body: blockOf([T0], T0 + 86_400, T0_BLOCK) }]);
    const result = await rebuild({
      changes: { listed: [T0], removed: [T0 + 30] },
    });
    expect(result).toEqual({ outcome: "covered" });
    expect(standIn.requests.map((request) => request.method)).toEqual(["HEAD", "GET", "PUT", "GET"]);
  });

  it("after a lost race, lists again when the winner's object lacks one of them", async () => {
    standIn.script([
      ...LOST_TO_V1,
      // Settled, but it listed before T0 + 30 was uploaded.
      { status: 206, body: blockOf([T0], T0 + 86_400, T0_BLOCK) },
      { status: 200, headers: { etag: '"v2"' } },
      { status: 200, body: listing },
      { status: 200 },
    ]);
    const result = await rebuild({
      changes: { listed: [T0 + 30], removed: [] },
    });
    expect(result).toEqual({ outcome: "written", segments: 2 });
    expect(standIn.requests.at(-1)!.headers["if-match"]).toBe('"v2"');
  });

  it("gives up after three lost races whose winners never listed the segment, with S3's status (Lambda then retries the event)", async () => {
    const lost = [...LOST_TO_V1, { status: 206, body: blockOf([T0], T0 + 86_400, T0_BLOCK) }];
    standIn.script([...lost, ...lost, ...lost, ...lost]);
    const gaveUp = rebuild({ changes: { listed: [T0 + 30], removed: [] } });
    await expect(gaveUp).rejects.toMatchObject({ name: "S3RequestError", status: 412, code: "PreconditionFailed" });
    expect(standIn.requests.filter((request) => request.method === "PUT")).toHaveLength(3);
  });

  it("lists the span's hours page by page: start-after before its first hour, then the token; stops past its last", async () => {
    const late = T0 + 2 * 86_400 + 3600; // the first hour of the next span, which this object carries
    standIn.script([
      { status: 404 },
      { status: 200, body: listingXml({ keys: [segment(T0 - 30), segment(T0)], nextContinuationToken: "t/2+=" }) },
      { status: 200, body: listingXml({ keys: [segment(late - 30), segment(late)], nextContinuationToken: "t3" }) },
      { status: 200 },
    ]);
    // T0 - 30 is the previous span's last hour, which this object carries too; `late` is past it.
    expect(await rebuildIndexObject(standIn.objects().objects, target, config, T0 + 86_400 * 3)).toEqual({
      outcome: "written",
      segments: 3,
    });
    const lists = standIn.requests.filter((request) => request.method === "GET").map(query);
    expect(lists).toEqual([
      {
        "list-type": "2",
        "encoding-type": "url",
        prefix: "movie/cam 1/",
        delimiter: "/",
        "start-after": `movie/cam 1/${formatSegmentName(T0 - 3600).slice(0, 11)}`,
      },
      {
        "list-type": "2",
        "encoding-type": "url",
        prefix: "movie/cam 1/",
        delimiter: "/",
        "continuation-token": "t/2+=",
      },
    ]);
  });
});
