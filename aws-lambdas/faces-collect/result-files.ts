/**
 * The result files faces-collect writes (layout: FACE_RESULT_MANIFEST in model/index.ts). Pure.
 *
 * Chunks are NDJSON, one face per line, each line the API's face object
 * `{"timestamp_ms":<int>,"face":<Rekognition FaceDetail, unchanged>}`. The Worker finds lines by the
 * leading timestamp and copies them into its response without parsing them, so a page costs a string
 * split, not a JSON parse of a thousand faces. `face` is Rekognition's FaceDetail as returned, so
 * Rekognition's documentation describes it and attributes Rekognition adds later pass through.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_FaceDetail.html
 */
import type { FaceDetection } from "@aws-sdk/client-rekognition";
import {
  FACE_LINE_INDEX_EVERY,
  FACE_RESULT_VERSION,
  faceResultChunkKey,
  type FaceChunkLineIndex,
  type FaceCollectCheckpoint,
  type FaceResultManifest,
} from "../../model/index.ts";

/** One chunk ready to be written: its body and its manifest summary. */
export interface PreparedChunk {
  body: string;
  first: number;
  last: number;
  count: number;
  /** Byte offsets of every FACE_LINE_INDEX_EVERY-th line, for the manifest's line_index. */
  index: FaceChunkLineIndex;
}

/** A page turned into chunks, plus the faces that had no usable timestamp (dropped, counted). */
export interface PreparedPage {
  chunks: PreparedChunk[];
  dropped: number;
}

/** The NDJSON line of one face. The leading `{"timestamp_ms":` is what the Worker reads. */
export function faceLine(timestampMs: number, face: unknown): string {
  return `{"timestamp_ms":${timestampMs},"face":${JSON.stringify(face ?? {})}}`;
}

/**
 * Splits one GetFaceDetection page into chunks of at most `chunkSize` faces. Rekognition returns
 * faces sorted by time; a stable sort keeps that order and repairs any page that is not.
 */
export function prepareChunks(
  faces: readonly FaceDetection[] | undefined,
  chunkSize: number,
  indexEvery = FACE_LINE_INDEX_EVERY,
): PreparedPage {
  const usable: Array<{ t: number; face: unknown }> = [];
  let dropped = 0;
  for (const detection of faces ?? []) {
    const t = detection.Timestamp;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
      dropped++;
      continue;
    }
    usable.push({ t: Math.round(t), face: detection.Face });
  }
  usable.sort((a, b) => a.t - b.t);
  const chunks: PreparedChunk[] = [];
  for (let start = 0; start < usable.length; start += chunkSize) {
    const slice = usable.slice(start, start + chunkSize);
    const lines = slice.map((entry) => faceLine(entry.t, entry.face));
    chunks.push({
      body: lines.join("\n") + "\n",
      first: slice[0]!.t,
      last: slice[slice.length - 1]!.t,
      count: slice.length,
      index: lineIndex(
        lines,
        slice.map((entry) => entry.t),
        indexEvery,
      ),
    });
  }
  return { chunks, dropped };
}

/** UTF-8 length of a string whose surrogates are paired (JSON.stringify escapes lone ones). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // A surrogate pair is 4 bytes: 2 for each half.
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

/** The line index (every `every`-th line) of a chunk body made of `lines`, each followed by "\n". */
export function lineIndex(lines: readonly string[], timestamps: readonly number[], every: number): FaceChunkLineIndex {
  const offsets: number[] = [];
  const ms: number[] = [];
  let offset = 0;
  for (let line = 0; line < lines.length; line++) {
    if (line % every === 0) {
      offsets.push(offset);
      ms.push(timestamps[line]!);
    }
    offset += utf8Length(lines[line]!) + 1;
  }
  return { bytes: offset, offsets, ms };
}

/** The manifest for a finished collection. */
export function buildManifest(input: {
  prefix: string;
  jobId: string;
  inputFile: string;
  inputBucket: string;
  checkpoint: Pick<FaceCollectCheckpoint, "Chunks" | "FaceCount" | "VideoMetadata">;
  /** Line index of chunk n under key n (PreparedChunk.index); a chunk without one is read whole. */
  lineIndexes?: ReadonlyMap<number, FaceChunkLineIndex>;
  /** The `indexEvery` prepareChunks built them with. */
  lineIndexEvery?: number;
  now: number;
}): FaceResultManifest {
  const chunks = input.checkpoint.Chunks.map(([first, last, count], index) => ({
    key: faceResultChunkKey(input.prefix, input.jobId, index),
    first_ms: first,
    last_ms: last,
    count,
  }));
  return {
    version: FACE_RESULT_VERSION,
    job_id: input.jobId,
    input_file: input.inputFile,
    input_bucket: input.inputBucket,
    face_count: input.checkpoint.FaceCount,
    chunk_size: chunks.reduce((max, chunk) => Math.max(max, chunk.count), 0),
    video: input.checkpoint.VideoMetadata ?? {},
    chunks,
    ...(input.lineIndexes && input.lineIndexes.size > 0
      ? {
          line_index: {
            every: input.lineIndexEvery ?? FACE_LINE_INDEX_EVERY,
            chunks: chunks.map((_, index) => input.lineIndexes!.get(index) ?? null),
          },
        }
      : {}),
    created_at: new Date(input.now).toISOString(),
  };
}
