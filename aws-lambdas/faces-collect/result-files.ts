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
  FACE_RESULT_VERSION,
  faceResultChunkKey,
  type FaceCollectCheckpoint,
  type FaceResultManifest,
} from "../../model/index.ts";

/** One chunk ready to be written: its body and its manifest summary. */
export interface PreparedChunk {
  body: string;
  first: number;
  last: number;
  count: number;
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
export function prepareChunks(faces: readonly FaceDetection[] | undefined, chunkSize: number): PreparedPage {
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
    chunks.push({
      body: slice.map((entry) => faceLine(entry.t, entry.face)).join("\n") + "\n",
      first: slice[0]!.t,
      last: slice[slice.length - 1]!.t,
      count: slice.length,
    });
  }
  return { chunks, dropped };
}

/** The manifest for a finished collection. */
export function buildManifest(input: {
  prefix: string;
  jobId: string;
  inputFile: string;
  inputBucket: string;
  checkpoint: Pick<FaceCollectCheckpoint, "Chunks" | "FaceCount" | "VideoMetadata">;
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
    created_at: new Date(input.now).toISOString(),
  };
}
