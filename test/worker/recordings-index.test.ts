/**
 * RECORDINGS_INDEX=on through the real Worker in workerd against the local S3 server: settled
 * hours come from the stream's index object, the rest is listed, and the playlist is the one the
 * listing alone gives. (The index reader's equivalence over random archives is
 * test/unit/hls/recording-index.test.ts's property test.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { recordingIndexKey, serializeRecordingIndex } from "../../worker/hls/recording-index.ts";
import { formatSegmentName } from "../../worker/hls/recordings.ts";
import { recorderSegments } from "./hls-support.ts";
import { callWith } from "./support/request.ts";
import { putObject, putObjects } from "./support/s3.ts";

const BUCKET = "media-recordings";
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z, the first day of an index span
const STREAM = `indexed-${crypto.randomUUID().slice(0, 8)}`;
const PREFIX = `movie/${STREAM}/`;
// Built when the first hour had settled: its block is trusted, the second hour's is open.
const INDEX_OPTIONS = { span: T0, coveredUntil: T0 + 3600, segmentSeconds: 30 };
// Two hours with a gap of two segments in the first (indexed) hour.
const starts = Array.from({ length: 240 }, (_, i) => T0 + i * 30).filter((_, i) => i !== 40 && i !== 41);

beforeAll(async () => {
  await putObjects(BUCKET, recorderSegments(PREFIX, starts));
}, 120_000);

// Settled listings are kept in the edge cache per window: each call asks for a window of its own,
// ending a second earlier than the last (the same segments: the last one starts at T0 + 5370).
let call = 0;
const playlist = async (index: "on" | "off") => {
  const end = T0 + 5400 - call++;
  const response = await callWith(
    { RECORDINGS_INDEX: index },
    `/api/media/recordings/playlist.m3u8?stream=${STREAM}&start=${T0 + 600}&end=${end}`,
  );
  expect(response.status).toBe(200);
  return response.text();
};

describe("recorder windows from the index", () => {
  it("no index yet: the same playlist as a listing", async () => {
    expect(await playlist("on")).toBe(await playlist("off"));
  });

  it("an index trusted for the first hour: that hour from it, the rest listed, the same playlist", async () => {
    const names = starts.filter((s) => s < T0 + 3600).map(formatSegmentName);
    await putObject(BUCKET, recordingIndexKey(PREFIX, T0), serializeRecordingIndex(names, INDEX_OPTIONS));
    const listed = await playlist("off");
    expect(await playlist("on")).toBe(listed);
    expect(listed.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);

    // The first hour really comes from the index: a name only the index holds shows up there,
    // and nothing past its covered-until is taken from it.
    const extra = formatSegmentName(T0 + 3000 + 15);
    const lateOnly = formatSegmentName(T0 + 3600 + 15);
    await putObject(
      BUCKET,
      recordingIndexKey(PREFIX, T0),
      serializeRecordingIndex([...names, extra, lateOnly].sort(), INDEX_OPTIONS),
    );
    const fromIndex = await playlist("on");
    expect(fromIndex).toContain(`/${extra}`);
    expect(fromIndex).not.toContain(`/${lateOnly}`);
  });

  it("a settled window is read from the index every time, not from an edge copy of its listing: a rebuilt index shows at once", async () => {
    const names = starts.filter((s) => s < T0 + 3600).map(formatSegmentName);
    const window = `/api/media/recordings/playlist.m3u8?stream=${STREAM}&start=${T0 + 600}&end=${T0 + 4000}`;
    await putObject(BUCKET, recordingIndexKey(PREFIX, T0), serializeRecordingIndex(names, INDEX_OPTIONS));
    const before = await (await callWith({ RECORDINGS_INDEX: "on" }, window)).text();
    const extra = formatSegmentName(T0 + 3000 + 20);
    expect(before).not.toContain(`/${extra}`);
    // The indexer rewrites the span (a late upload): the same window, asked again, has it.
    await putObject(
      BUCKET,
      recordingIndexKey(PREFIX, T0),
      serializeRecordingIndex([...names, extra].sort(), INDEX_OPTIONS),
    );
    expect(await (await callWith({ RECORDINGS_INDEX: "on" }, window)).text()).toContain(`/${extra}`);
  });
});
