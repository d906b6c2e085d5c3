/**
 * Face-detection results (GET /api/media/faces) as moments to seek to: one entry per timestamp
 * with the number of faces seen there.
 */
export interface FaceResult {
  analysis_status: string;
  status_message?: string;
  face_count?: number;
  next_cursor?: string | null;
  faces?: Array<{ timestamp_ms: number }>;
}

export interface FaceMoment {
  ms: number;
  count: number;
}

export const FACES_TERMINAL = ["SUCCEEDED", "FAILED", "SKIPPED"];

/** Faces grouped by timestamp, in time order. */
export function faceMoments(faces: ReadonlyArray<{ timestamp_ms: number }>): FaceMoment[] {
  const counts = new Map<number, number>();
  for (const face of faces) counts.set(face.timestamp_ms, (counts.get(face.timestamp_ms) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a - b).map(([ms, count]) => ({ ms, count }));
}

/** The faces route for one upload, a page of at most `limit` faces from `cursor`. */
export function facesPath(inputFile: string, cursor?: string, limit = 1000): string {
  const query = new URLSearchParams({ input_file: inputFile, limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  return `/api/media/faces?${query.toString()}`;
}
