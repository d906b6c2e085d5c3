/**
 * The recorder archive's index: one object per stream and two UTC days (INDEX_SPAN_SECONDS) that
 * lists their segment names in hour blocks of a fixed size, so a window reads with one Range GET
 * per span exactly the hours it covers, whatever the archive's size (docs/recording-index.md).
 *
 * Object: `<stream prefix>~index/YYYYMMDD.txt` (the span's first day) (`~` cannot occur in a stream
 * name, so the index folder is never a stream, and it sorts after every segment name, so it never
 * enters a window's listing). Body (format 3): 50 blocks, one per hour of indexObjectHours(span):
 * the span's 48 hours and, carried, the hour before it and the hour after it (so a window that
 * crosses a span boundary by less than an hour, as its 45-s lookback and look-ahead do, reads no
 * second object). Each block is indexBlockLines(segment length) lines of INDEX_LINE_BYTES bytes,
 * so block b starts at byte b × indexBlockBytes(). A block's first line is its header
 * `#3 <hour start, 10-digit epoch seconds> <S|O><count, 4 digits>`; then `count` segment file names
 * (`YYYYMMDDTHHMMSSZ.ts`, 19 characters) that start in that hour, ascending; then blank lines up
 * to the block's size. `S` (settled): the hour had settled (see settledHour) when the indexer
 * listed it, so the block is trusted. `O` (open): not settled yet, or more segments than a block
 * holds: the reader lists that hour. The indexer rewrites an object whenever a segment of one of
 * its 50 hours is created (so a late upload in a carried hour rewrites both objects that hold it).
 *
 * Objects of formats 1 and 2 (2: the 48 hours without the carried ones, header `#2`) are refused:
 * their bytes at a block's offset are not that block's header, so the reader lists those hours
 * until the indexer rewrites the span.
 *
 * Pure: written by aws-lambdas/recording-index, read by the Worker (worker/recordings/archive.ts).
 */
import { formatSegmentName, parseSegmentName, settledHour, type ArchivedSegment } from "./recordings.ts";

export { settledHour };

/** Bytes per line: 19 characters + "\n". */
export const INDEX_LINE_BYTES = 20;
/** Hours per block: the unit a window's reads are cut to, and the unit of trust. */
export const INDEX_BLOCK_SECONDS = 3600;
/**
 * Each index object covers two UTC days (starting on an even day number since 1970): a week's
 * window (up to 8 days with its lookback and look-ahead) then touches at most 5 of them, which fit
 * in one round of Workers' 6 simultaneous connections per request together with the live tail's
 * listing. https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections
 */
export const INDEX_SPAN_SECONDS = 2 * 86_400;
/** Hours carried from each neighbouring span: one covers a 45-s lookback or look-ahead. */
const CARRIED_SECONDS = INDEX_BLOCK_SECONDS;
/** Blocks per index object (a function, so that the Worker's bundle, which reads blocks by hour, leaves it out). */
const blocksPerObject = () => (INDEX_SPAN_SECONDS + 2 * CARRIED_SECONDS) / INDEX_BLOCK_SECONDS;
const HEADER_TAG = "#3 ";

/** Folder of the index objects inside a stream's prefix. */
export const INDEX_FOLDER = "~index/";

/**
 * Lines per hour block: the header and room for 1.25 times an hour's nominal segments (a recorder
 * that cuts early or restarts adds a few); an hour with more is marked open and listed.
 */
export function indexBlockLines(segmentSeconds: number): number {
  return 1 + Math.ceil((INDEX_BLOCK_SECONDS / segmentSeconds) * 1.25);
}

/** Bytes per hour block: block h of a span starts at h times this. */
export function indexBlockBytes(segmentSeconds: number): number {
  return indexBlockLines(segmentSeconds) * INDEX_LINE_BYTES;
}

/** The index object of the span holding `epochSeconds` (named by its first day), for the stream at `streamPrefix`. */
export function recordingIndexKey(streamPrefix: string, epochSeconds: number): string {
  const iso = new Date(spanStart(epochSeconds) * 1000).toISOString();
  return `${streamPrefix}${INDEX_FOLDER}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}.txt`;
}

/** Start of the index span holding `epochSeconds`. */
export function spanStart(epochSeconds: number): number {
  return Math.floor(epochSeconds / INDEX_SPAN_SECONDS) * INDEX_SPAN_SECONDS;
}

/** The hours the span's index object holds, [from, to): its own and one carried on each side. */
export function indexObjectHours(span: number): { from: number; to: number } {
  return { from: span - CARRIED_SECONDS, to: span + INDEX_SPAN_SECONDS + CARRIED_SECONDS };
}

/**
 * Until when a span's index object written at `nowSeconds` is trusted (its `coveredUntil`): the
 * hours settled by then, within the object's hours. The indexer writes it, `--only-stale` checks it.
 */
export function indexCoveredUntil(span: number, nowSeconds: number, segmentSeconds: number): number {
  const hours = indexObjectHours(span);
  return Math.min(hours.to, Math.max(hours.from, settledHour(nowSeconds, segmentSeconds)));
}

/**
 * The index spans whose objects hold the hour of a segment starting at `epochSeconds`: its own,
 * and for a span's first or last hour the neighbour that carries it.
 */
export function spansHolding(epochSeconds: number): number[] {
  const own = spanStart(epochSeconds);
  const spans = [own];
  if (epochSeconds < own + CARRIED_SECONDS) spans.push(own - INDEX_SPAN_SECONDS);
  if (epochSeconds >= own + INDEX_SPAN_SECONDS - CARRIED_SECONDS) spans.push(own + INDEX_SPAN_SECONDS);
  return spans;
}

/**
 * The index spans whose objects hold a segment starting in [from, to), ascending: every span that
 * spansHolding gives for some time in the range (a range that reaches into a span's first or last
 * hour also takes the neighbour carrying that hour). Empty for an empty range. For rebuilding a
 * stretch of the archive (`npm run reindex`).
 */
export function spansBetween(from: number, to: number): number[] {
  // Span s holds the hours [s - 1 h, s + span + 1 h): it holds a time of the range when
  // s - 1 h < to and s + span + 1 h > from.
  const spans: number[] = [];
  if (!(to > from)) return spans;
  for (let span = spanStart(from - CARRIED_SECONDS); span < to + CARRIED_SECONDS; span += INDEX_SPAN_SECONDS) {
    spans.push(span);
  }
  return spans;
}

/**
 * The index objects to read for [from, to), each with the part of the range it is read for
 * (tiling the range). A range that reaches less than an hour into the span before (a lookback) or
 * after (a look-ahead) its others takes that part from their carried hours: a 24 h window starting
 * at a span boundary reads one object, not two.
 */
export function indexReads(from: number, to: number): Array<{ span: number; from: number; to: number }> {
  let first = spanStart(from);
  let last = spanStart(to - 1);
  if (first < last && from >= first + INDEX_SPAN_SECONDS - CARRIED_SECONDS) first += INDEX_SPAN_SECONDS;
  if (first < last && to <= last + CARRIED_SECONDS) last -= INDEX_SPAN_SECONDS;
  const reads: Array<{ span: number; from: number; to: number }> = [];
  for (let span = first; span <= last; span += INDEX_SPAN_SECONDS) {
    reads.push({ span, from: span === first ? from : span, to: span === last ? to : span + INDEX_SPAN_SECONDS });
  }
  return reads;
}

/** One block's header line (without its "\n"). */
function blockHeader(hour: number, settled: boolean, count: number): string {
  return `${headerStart(hour)}${settled ? "S" : "O"}${String(count).padStart(4, "0")}`;
}

/** A block's header up to its state (`S` or `O`): `#3 <hour start, 10 digits> `. */
function headerStart(hour: number): string {
  return `${HEADER_TAG}${String(hour).padStart(10, "0")} `;
}

/**
 * The body of a span's index: the 50 hour blocks of indexObjectHours(span), each holding the
 * sorted names of the segments that start in that hour, settled (trusted) when the hour ends at or
 * before `coveredUntil`. `names` are the file names of the segments in those hours, ascending.
 */
export function serializeRecordingIndex(
  names: readonly string[],
  options: { span: number; coveredUntil: number; segmentSeconds: number },
): string {
  const { span, coveredUntil } = options;
  const capacity = indexBlockLines(options.segmentSeconds) - 1;
  const padding = `${" ".repeat(INDEX_LINE_BYTES - 1)}\n`;
  const firstHour = indexObjectHours(span).from;
  const blocks = blocksPerObject();
  const byBlock: string[][] = Array.from({ length: blocks }, () => []);
  for (const name of names) {
    const start = parseSegmentName(name);
    const block = start === undefined ? -1 : Math.floor((start - firstHour) / INDEX_BLOCK_SECONDS);
    if (block < 0 || block >= blocks) throw new Error(`not a segment of this span: ${JSON.stringify(name)}`);
    byBlock[block]!.push(name);
  }
  const parts: string[] = [];
  byBlock.forEach((blockNames, block) => {
    const hour = firstHour + block * INDEX_BLOCK_SECONDS;
    const fits = blockNames.length <= capacity;
    const settled = fits && hour + INDEX_BLOCK_SECONDS <= coveredUntil;
    parts.push(`${blockHeader(hour, settled, fits ? blockNames.length : 0)}\n`);
    if (fits) for (const name of blockNames) parts.push(`${name}\n`);
    parts.push(padding.repeat(capacity - (fits ? blockNames.length : 0)));
  });
  return parts.join("");
}

/** The byte range (HTTP Range, inclusive) of the object's blocks [firstBlock, endBlock). */
export function indexByteRange(firstBlock: number, endBlock: number, segmentSeconds: number): string {
  const size = indexBlockBytes(segmentSeconds);
  return `bytes=${firstBlock * size}-${endBlock * size - 1}`;
}

/** The blocks of the span's object that [from, to) touches (inside indexObjectHours(span)): [first, end). */
export function blocksBetween(span: number, from: number, to: number): { first: number; end: number } {
  const firstHour = indexObjectHours(span).from;
  return {
    first: Math.floor((from - firstHour) / INDEX_BLOCK_SECONDS),
    end: Math.ceil((to - firstHour) / INDEX_BLOCK_SECONDS),
  };
}

/** Start of the hour of the span object's block `block`. */
export function blockHour(span: number, block: number): number {
  return indexObjectHours(span).from + block * INDEX_BLOCK_SECONDS;
}

/** Value of the `length` digits at `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * Index text (whole blocks from a range read) and the stream's key prefix its names go under. The
 * text is read where it is: each segment's key is the prefix + a slice of it, a two-piece string.
 * (Putting the prefix in front of every line first, so that a key is one slice, made a rope of
 * thousands of pieces that the first read has to flatten: in Node it doubled the read, place and
 * write of a 24 h window; in workerd the 7-day window took about 13% more CPU.)
 */
export interface KeyedIndexText {
  text: string;
  prefix: string;
}

/** The index text (whole blocks from a range read) keyed for readIndexBlock. */
export function keyIndexText(text: string, streamPrefix: string): KeyedIndexText {
  return { text, prefix: streamPrefix };
}

/**
 * The segments of one settled block whose header is line `line` of `keyed`, for the hour starting
 * at `hour`; undefined when the block is open, missing, cut short or not a block of that hour
 * (format 1, a segment length other than the indexer's, damage): that hour is then listed. Each
 * name must be of that hour and after the one before it, so the result is sorted and unique.
 * Names are checked against the hour's own prefix (`YYYYMMDDTHH`), so only minutes and seconds
 * are parsed. With `acceptOpen` (the indexer's own check of what an object lists), an open block's
 * names are read too: an open block that fits lists its hour's segments like a settled one.
 */
export function readIndexBlock(
  keyed: KeyedIndexText,
  line: number,
  hour: number,
  blockLines: number,
  acceptOpen = false,
): ArchivedSegment[] | undefined {
  const { text, prefix } = keyed;
  const header = line * INDEX_LINE_BYTES;
  if (text.length < header + INDEX_LINE_BYTES || !text.startsWith(HEADER_TAG, header)) return undefined;
  const state = text.charCodeAt(header + 14); // "S" settled, "O" open
  const readable = state === 0x53 || (acceptOpen && state === 0x4f);
  if (digitsAt(text, header + 3, 10) !== hour || !readable) return undefined;
  const count = digitsAt(text, header + 15, 4);
  if (count < 0 || count >= blockLines || text.length < header + (1 + count) * INDEX_LINE_BYTES) return undefined;
  const hourPrefix = formatSegmentName(hour).slice(0, 11);
  const segments = new Array<ArchivedSegment>(count);
  let previous = -1;
  for (let n = 0; n < count; n++) {
    const at = header + (n + 1) * INDEX_LINE_BYTES;
    const minute = digitsAt(text, at + 11, 2);
    const second = digitsAt(text, at + 13, 2);
    const within = minute * 60 + second;
    if (
      !text.startsWith(hourPrefix, at) ||
      !text.startsWith("Z.ts\n", at + 15) ||
      minute < 0 ||
      minute > 59 ||
      second < 0 ||
      second > 59 ||
      within <= previous
    ) {
      return undefined;
    }
    previous = within;
    segments[n] = { key: prefix + text.slice(at, at + INDEX_LINE_BYTES - 1), start: hour + within };
  }
  return segments;
}

/** Whether the block whose header is line `line` of `keyed` is a well-formed open block of `hour` (listed, but not damaged). */
export function isOpenBlock(keyed: KeyedIndexText, line: number, hour: number): boolean {
  const header = line * INDEX_LINE_BYTES;
  // `#3 <hour> O`: the header up to its state.
  return keyed.text.startsWith(`${headerStart(hour)}O`, header);
}

/** A whole index object as read back (tools and tests): until when it is trusted, and its names. */
export function decodeRecordingIndex(
  text: string,
  span: number,
  segmentSeconds: number,
): { coveredUntil: number; names: string[] } | undefined {
  const size = indexBlockBytes(segmentSeconds);
  const blocks = blocksPerObject();
  if (text.length !== blocks * size) return undefined;
  let coveredUntil: number | undefined;
  const names: string[] = [];
  const lines = indexBlockLines(segmentSeconds);
  for (let block = 0; block < blocks; block++) {
    const hour = blockHour(span, block);
    const settled = readIndexBlock({ text, prefix: "" }, block * lines, hour, lines);
    if (settled === undefined && coveredUntil === undefined) coveredUntil = hour;
    if (settled !== undefined) for (const segment of settled) names.push(segment.key);
    else if (text.startsWith(`${headerStart(hour)}O`, block * size)) {
      const count = digitsAt(text, block * size + 15, 4);
      for (let line = 1; line <= count; line++) {
        const at = block * size + line * INDEX_LINE_BYTES;
        names.push(text.slice(at, at + INDEX_LINE_BYTES - 1));
      }
    } else return undefined;
  }
  return { coveredUntil: coveredUntil ?? indexObjectHours(span).to, names };
}

/** One part of a range: segments read from settled index blocks, or a range to list. */
export type ArchivePiece =
  { source: "index"; segments: readonly ArchivedSegment[] } | { source: "list"; from: number; to: number };

/**
 * How to read [from, to) given the settled blocks that were read (`blocks(hour)`: the block's
 * segments, undefined when the hour has no settled block): each hour with one from its segments
 * that start in range (a whole hour's block as it is, not copied), every other hour listed,
 * adjacent hours to list merged into one range. Pieces are in time order and tile [from, to).
 */
export function planArchiveReads(
  from: number,
  to: number,
  blocks: (hour: number) => readonly ArchivedSegment[] | undefined,
): ArchivePiece[] {
  const pieces: ArchivePiece[] = [];
  for (
    let hour = Math.floor(from / INDEX_BLOCK_SECONDS) * INDEX_BLOCK_SECONDS;
    hour < to;
    hour += INDEX_BLOCK_SECONDS
  ) {
    const a = Math.max(from, hour);
    const b = Math.min(to, hour + INDEX_BLOCK_SECONDS);
    const block = blocks(hour);
    const previous = pieces[pieces.length - 1];
    if (block === undefined) {
      if (previous?.source === "list") previous.to = b;
      else pieces.push({ source: "list", from: a, to: b });
      continue;
    }
    const whole = a === hour && b === hour + INDEX_BLOCK_SECONDS;
    pieces.push({ source: "index", segments: whole ? block : block.filter((s) => s.start >= a && s.start < b) });
  }
  return pieces;
}
