/**
 * Paging a stored face-detection result (layout: FACE_RESULT_MANIFEST in model/index.ts). Pure: text
 * and plain data in, plain data out; the route does the reads.
 *
 * A page is a position (chunk index, line index) plus a time window [from_ms, to_ms). The manifest
 * tells which chunks can hold the window, so a request reads the manifest and only those chunks, and
 * the chunk lines are copied into the response without being parsed (each line starts with its
 * timestamp). With the manifest's line index (results written since issue 12), only the lines a page
 * needs are read, with a Range GET: for the default page about 50 KiB instead of a ~500 KiB chunk.
 */
import {
  FACE_RESULT_VERSION,
  type FaceChunkLineIndex,
  type FaceResultChunk,
  type FaceResultLineIndex,
  type FaceResultManifest,
} from "../../model/index.ts";

/** Faces per page when `limit` is not given. */
export const DEFAULT_FACES_LIMIT = 100;
/** Largest `limit` accepted (one GetFaceDetection page). */
export const MAX_FACES_LIMIT = 1000;
/** Chunk files one request reads at most; a page may end early with a cursor when it is reached. */
export const MAX_CHUNK_READS = 4;
/** Largest timestamp/window bound accepted: Rekognition Video stops at 6 hours, 10^12 ms is ample. */
export const MAX_TIMESTAMP_MS = 1e12;

/** Thrown for stored data that does not have the expected shape (the route answers 502). */
export class ResultFormatError extends Error {
  override name = "ResultFormatError";
}

/** Thrown for a cursor that cannot be used (the route answers 400). */
export class CursorError extends Error {
  override name = "CursorError";
}

/** Where the next face of a page is. */
export interface Position {
  chunk: number;
  line: number;
}

/** What a cursor carries: the position and the window it was issued for, bound to one result. */
export interface CursorState extends Position {
  jobFingerprint: string;
  fromMs?: number;
  toMs?: number;
}

/** FNV-1a (32 bit) of a job id, as 8 hex digits: binds a cursor to the result it came from. */
export function jobFingerprint(jobId: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < jobId.length; index++) {
    hash ^= jobId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * An opaque cursor: base64url of `[1, fingerprint, chunk, line, from|null, to|null]`. Not secret (it
 * only names a position in a result the caller may read anyway); tampering yields a 400 or another
 * position of the same result, never another result's data.
 */
export function encodeCursor(state: CursorState): string {
  const json = JSON.stringify([
    1,
    state.jobFingerprint,
    state.chunk,
    state.line,
    state.fromMs ?? null,
    state.toMs ?? null,
  ]);
  return btoa(json).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes a cursor; throws CursorError for anything that is not one of ours. */
export function decodeCursor(cursor: string): CursorState {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new CursorError("not a cursor");
  let value: unknown;
  try {
    const base64 = cursor.replace(/-/g, "+").replace(/_/g, "/");
    value = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)));
  } catch {
    throw new CursorError("not a cursor");
  }
  if (!Array.isArray(value) || value.length !== 6 || value[0] !== 1) throw new CursorError("not a cursor");
  const [, fingerprint, chunk, line, from, to] = value as unknown[];
  const index = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 1_000_000;
  const bound = (n: unknown) =>
    n === null || (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_TIMESTAMP_MS);
  if (typeof fingerprint !== "string" || !/^[0-9a-f]{8}$/.test(fingerprint) || !index(chunk) || !index(line)) {
    throw new CursorError("not a cursor");
  }
  if (!bound(from) || !bound(to)) throw new CursorError("not a cursor");
  const state: CursorState = { jobFingerprint: fingerprint, chunk: chunk as number, line: line as number };
  if (from !== null) state.fromMs = from as number;
  if (to !== null) state.toMs = to as number;
  return state;
}

/**
 * Parses and checks manifest.json. Every chunk key must lie in the manifest's own folder, so a
 * tampered manifest cannot make the Worker read other objects.
 */
export function parseManifest(text: string, manifestKey: string): FaceResultManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResultFormatError("manifest is not JSON");
  }
  const manifest = value as Partial<FaceResultManifest> | null;
  if (!manifest || typeof manifest !== "object" || manifest.version !== FACE_RESULT_VERSION) {
    throw new ResultFormatError("manifest version is not supported");
  }
  if (!Array.isArray(manifest.chunks) || typeof manifest.face_count !== "number") {
    throw new ResultFormatError("manifest lacks chunks or face_count");
  }
  const folder = manifestKey.slice(0, manifestKey.lastIndexOf("/") + 1);
  const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  for (const chunk of manifest.chunks as unknown[]) {
    const entry = chunk as Partial<FaceResultChunk> | null;
    if (
      !entry ||
      typeof entry.key !== "string" ||
      !entry.key.startsWith(folder) ||
      entry.key.slice(folder.length).includes("/") ||
      !isInt(entry.first_ms) ||
      !isInt(entry.last_ms) ||
      !isInt(entry.count) ||
      entry.count === 0 ||
      entry.last_ms < entry.first_ms
    ) {
      throw new ResultFormatError("manifest has a malformed chunk entry");
    }
  }
  if (manifest.line_index !== undefined) checkLineIndex(manifest.line_index, manifest.chunks);
  return manifest as FaceResultManifest;
}

/** Checks manifest.line_index against the chunks it indexes (a wrong offset would cut lines apart). */
function checkLineIndex(value: unknown, chunks: readonly FaceResultChunk[]): void {
  const index = value as Partial<FaceResultLineIndex> | null;
  const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (!index || !isInt(index.every) || index.every === 0 || !Array.isArray(index.chunks)) {
    throw new ResultFormatError("manifest has a malformed line_index");
  }
  if (index.chunks.length !== chunks.length) throw new ResultFormatError("line_index does not match the chunks");
  const every = index.every;
  index.chunks.forEach((entry: Partial<FaceChunkLineIndex> | null, n) => {
    if (entry === null) return;
    const chunk = chunks[n]!;
    const marks = Math.ceil(chunk.count / every);
    const { bytes, offsets, ms } = entry ?? {};
    const ok =
      isInt(bytes) &&
      Array.isArray(offsets) &&
      Array.isArray(ms) &&
      offsets.length === marks &&
      ms.length === marks &&
      offsets[0] === 0 &&
      ms[0] === chunk.first_ms &&
      offsets.every((o, i) => isInt(o) && o < bytes && (i === 0 || o > offsets[i - 1]!)) &&
      ms.every((t, i) => isInt(t) && t <= chunk.last_ms && (i === 0 || t >= ms[i - 1]!));
    if (!ok) throw new ResultFormatError(`line_index of chunk ${n} is malformed`);
  });
}

/** The first position whose face may be at or after `fromMs` (chunk granularity; lines are filtered later). */
export function startPosition(chunks: readonly FaceResultChunk[], fromMs: number | undefined): Position {
  if (fromMs === undefined) return { chunk: 0, line: 0 };
  const index = chunks.findIndex((chunk) => chunk.last_ms >= fromMs);
  return { chunk: index === -1 ? chunks.length : index, line: 0 };
}

/** Whether chunk `index` can hold a face before `toMs`. */
export function chunkInWindow(chunks: readonly FaceResultChunk[], index: number, toMs: number | undefined): boolean {
  const chunk = chunks[index];
  return chunk !== undefined && (toMs === undefined || chunk.first_ms < toMs);
}

/** The timestamp at the start of a chunk line (`{"timestamp_ms":123,...`). */
export function lineTimestamp(line: string): number {
  const PREFIX = '{"timestamp_ms":';
  const comma = line.indexOf(",", PREFIX.length);
  if (!line.startsWith(PREFIX) || comma === -1)
    throw new ResultFormatError("chunk line does not start with timestamp_ms");
  const digits = line.slice(PREFIX.length, comma);
  if (!/^\d{1,13}$/.test(digits)) throw new ResultFormatError("chunk line has a malformed timestamp_ms");
  return Number(digits);
}

/** Splits a chunk body (or a run of its lines) into its lines and checks the count against the manifest. */
export function chunkLines(text: string, expectedCount: number): string[] {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  if (text === "" || lines.length !== expectedCount) {
    throw new ResultFormatError(
      `chunk has ${text === "" ? 0 : lines.length} lines, the manifest says ${expectedCount}`,
    );
  }
  return lines;
}

/** Lines `first` .. `first + lines.length - 1` of a chunk. */
export interface ChunkRun {
  lines: readonly string[];
  first: number;
  /**
   * When the run stops before the chunk's end: the timestamp of the next line (from the line index),
   * or a lower bound of it at or after to_ms when the window ends before the run.
   */
  nextMs?: number;
}

/** The lines of a chunk to read for a page: lines [first, end), bytes [startByte, endByte). */
export interface RunPlan {
  first: number;
  end: number;
  startByte: number;
  endByte: number;
  nextMs?: number;
}

/** Smallest i with sorted[i] >= value (sorted.length if none). */
function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Which indexed lines of a chunk of `count` lines a page needs, from `startLine` with `room` faces
 * left: from the last indexed line before from_ms (earlier lines are all before it) to the indexed
 * line after the `room`-th face in the window, or the first indexed line at or after to_ms. The
 * line the run stops at is indexed, so its timestamp decides the cursor without reading it. An
 * empty plan (first = end) means the window ends before `startLine`.
 */
export function planRun(
  index: FaceChunkLineIndex,
  every: number,
  count: number,
  startLine: number,
  window: { fromMs?: number; toMs?: number },
  room: number,
): RunPlan {
  const marks = index.offsets.length;
  let block = Math.floor(startLine / every);
  // Upper bound of the first line in the window: the indexed line after the last one before from_ms.
  let windowStart = startLine;
  if (window.fromMs !== undefined) {
    const below = firstAtOrAfter(index.ms, window.fromMs) - 1;
    block = Math.max(block, below);
    windowStart = below + 1 < marks ? Math.max(startLine, (below + 1) * every) : count;
  }
  let end = Math.min(count, Math.ceil((windowStart + room) / every) * every);
  if (window.toMs !== undefined) {
    const after = firstAtOrAfter(index.ms, window.toMs);
    if (after < marks && after * every <= startLine) {
      // Every line from startLine on is at or after to_ms: nothing to read.
      return { first: startLine, end: startLine, startByte: 0, endByte: 0, nextMs: index.ms[after]! };
    }
    if (after < marks) end = Math.min(end, after * every);
  }
  const first = block * every;
  const endByte = end < count ? index.offsets[end / every]! : index.bytes;
  const plan: RunPlan = { first, end, startByte: index.offsets[block]!, endByte };
  if (end < count) plan.nextMs = index.ms[end / every]!;
  return plan;
}

/** A chunk's lines for a page: the planned run when the chunk is indexed, else the whole chunk. */
export async function readRun(
  manifest: Pick<FaceResultManifest, "chunks" | "line_index">,
  position: Position,
  window: { fromMs?: number; toMs?: number },
  room: number,
  loadText: ChunkLoader,
): Promise<ChunkRun> {
  const chunk = manifest.chunks[position.chunk]!;
  const index = manifest.line_index?.chunks[position.chunk];
  if (!index) return { lines: chunkLines(await loadText(position.chunk), chunk.count), first: 0 };
  const every = manifest.line_index!.every;
  const plan = planRun(index, every, chunk.count, position.line, window, room);
  if (plan.first === plan.end) return { lines: [], first: plan.first, nextMs: plan.nextMs! };
  const text = await loadText(position.chunk, { start: plan.startByte, end: plan.endByte });
  const lines = chunkLines(text, plan.end - plan.first);
  if (lineTimestamp(lines[0]!) !== index.ms[plan.first / every]) {
    throw new ResultFormatError(`line_index of chunk ${position.chunk} does not match the chunk`);
  }
  const run: ChunkRun = { lines, first: plan.first };
  if (plan.nextMs !== undefined) run.nextMs = plan.nextMs;
  return run;
}

/**
 * Reads chunk `index`'s text: all of it, or bytes [start, end) (an S3 Range GET; `end` exclusive).
 */
export type ChunkLoader = (index: number, bytes?: { start: number; end: number }) => Promise<string>;

/** What one chunk contributed to a page. */
export interface ChunkSelection {
  lines: string[];
  /** Where the page continues inside this chunk, if it stopped there with faces left in the window. */
  next?: Position;
  /** True when the window ends inside this chunk (no later chunk can match). */
  windowEnded: boolean;
}

/**
 * Takes up to `room` lines of chunk `chunkIndex` from `startLine`, skipping faces before `fromMs` and
 * stopping at the first face at or after `toMs`. A run that stops before the chunk's end decides on
 * its next line by `nextMs` as if it had read it.
 */
export function selectFromChunk(
  run: ChunkRun,
  chunkIndex: number,
  startLine: number,
  window: { fromMs?: number; toMs?: number },
  room: number,
): ChunkSelection {
  const selected: string[] = [];
  const end = run.first + run.lines.length;
  for (let index = Math.max(startLine, run.first); index < end; index++) {
    const line = run.lines[index - run.first]!;
    const timestamp = lineTimestamp(line);
    if (window.fromMs !== undefined && timestamp < window.fromMs) continue;
    if (window.toMs !== undefined && timestamp >= window.toMs) return { lines: selected, windowEnded: true };
    if (selected.length === room)
      return { lines: selected, next: { chunk: chunkIndex, line: index }, windowEnded: false };
    selected.push(line);
  }
  if (run.nextMs === undefined) return { lines: selected, windowEnded: false };
  if (window.toMs !== undefined && run.nextMs >= window.toMs) return { lines: selected, windowEnded: true };
  if (selected.length === room) return { lines: selected, next: { chunk: chunkIndex, line: end }, windowEnded: false };
  throw new ResultFormatError(`line_index of chunk ${chunkIndex} does not match the chunk`);
}

/** One page of faces and where the next page starts (undefined: the window holds no more faces). */
export interface FacePage {
  lines: string[];
  next?: Position;
  chunkReads: number;
}

/**
 * Collects up to `limit` face lines from `start`, reading at most `maxReads` chunks (whole, or the
 * run of lines the line index points to) through `loadText`. The page ends early, with a position to
 * continue from, when the read budget is spent.
 */
export async function collectPage(
  manifest: Pick<FaceResultManifest, "chunks" | "line_index">,
  start: Position,
  window: { fromMs?: number; toMs?: number },
  limit: number,
  maxReads: number,
  loadText: ChunkLoader,
): Promise<FacePage> {
  const chunks = manifest.chunks;
  const lines: string[] = [];
  let position = start;
  let reads = 0;
  while (lines.length < limit && chunkInWindow(chunks, position.chunk, window.toMs)) {
    if (reads === maxReads) return { lines, next: position, chunkReads: reads };
    const room = limit - lines.length;
    const run = await readRun(manifest, position, window, room, loadText);
    reads++;
    const selection = selectFromChunk(run, position.chunk, position.line, window, room);
    lines.push(...selection.lines);
    if (selection.next) return { lines, next: selection.next, chunkReads: reads };
    if (selection.windowEnded) return { lines, chunkReads: reads };
    position = { chunk: position.chunk + 1, line: 0 };
  }
  // Filled up exactly at a chunk boundary: the next chunk continues the page if it is in the window.
  const more = lines.length >= limit && chunkInWindow(chunks, position.chunk, window.toMs);
  return more ? { lines, next: position, chunkReads: reads } : { lines, chunkReads: reads };
}
