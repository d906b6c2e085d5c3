/**
 * Moves an MPEG-TS segment in time: adds a number of 90 kHz ticks to every PES PTS and DTS and to
 * every PCR, modulo 2^33 as the fields wrap (ISO/IEC 13818-1 §2.4.3.5 PCR, §2.4.3.7 PTS/DTS). A
 * backfill reuses a few encoded segments under thousands of names; shifting each copy to its
 * place keeps timestamps rising through the archive, so a window of it plays like a recording
 * instead of jumping back at every reused segment. Pure: returns a shifted copy.
 */

const PACKET_SIZE = 188;
const SYNC_BYTE = 0x47;
const WRAP = 2 ** 33;

/** Reads a 33-bit PTS/DTS from its 5-byte PES encoding at `at`. */
function readTimestamp(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! >> 1) & 0x07) * 2 ** 30 +
    ((bytes[at + 1]! << 7) | (bytes[at + 2]! >> 1)) * 2 ** 15 +
    ((bytes[at + 3]! << 7) | (bytes[at + 4]! >> 1))
  );
}

/** Writes a 33-bit PTS/DTS at `at`, keeping the 4-bit prefix and setting the marker bits. */
function writeTimestamp(bytes: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 30);
  const middle = Math.floor(value / 2 ** 15) % 2 ** 15;
  const low = value % 2 ** 15;
  bytes[at] = (bytes[at]! & 0xf0) | (high << 1) | 1;
  bytes[at + 1] = middle >> 7;
  bytes[at + 2] = ((middle & 0x7f) << 1) | 1;
  bytes[at + 3] = low >> 7;
  bytes[at + 4] = ((low & 0x7f) << 1) | 1;
}

/** Shifts the 33-bit base of a PCR at `at` (6 bytes: base, 6 reserved bits, 9-bit extension). */
function shiftPcr(bytes: Uint8Array, at: number, ticks: number): void {
  const base =
    bytes[at]! * 2 ** 25 +
    bytes[at + 1]! * 2 ** 17 +
    bytes[at + 2]! * 2 ** 9 +
    bytes[at + 3]! * 2 +
    (bytes[at + 4]! >> 7);
  const shifted = (base + ticks) % WRAP;
  bytes[at] = Math.floor(shifted / 2 ** 25) & 0xff;
  bytes[at + 1] = Math.floor(shifted / 2 ** 17) & 0xff;
  bytes[at + 2] = Math.floor(shifted / 2 ** 9) & 0xff;
  bytes[at + 3] = Math.floor(shifted / 2) & 0xff;
  bytes[at + 4] = ((shifted % 2) << 7) | (bytes[at + 4]! & 0x7f);
}

/** PES stream ids without the optional header that carries PTS/DTS (§2.4.3.7, Table 2-22). */
const NO_PES_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xf2, 0xf8, 0xff]);

function shiftPes(bytes: Uint8Array, at: number, end: number, ticks: number): void {
  if (end - at < 19 || bytes[at] !== 0 || bytes[at + 1] !== 0 || bytes[at + 2] !== 1) return;
  if (NO_PES_HEADER.has(bytes[at + 3]!)) return;
  const flags = (bytes[at + 7]! >> 6) & 0x03;
  if (flags & 0x02) writeTimestamp(bytes, at + 9, (readTimestamp(bytes, at + 9) + ticks) % WRAP);
  if (flags === 0x03) writeTimestamp(bytes, at + 14, (readTimestamp(bytes, at + 14) + ticks) % WRAP);
}

/** A copy of `segment` with every PTS, DTS and PCR moved by `ticks` (90 kHz, may be negative). */
export function shiftTimestamps(segment: Uint8Array, ticks: number): Uint8Array {
  if (segment.length % PACKET_SIZE !== 0) throw new Error("not an MPEG-TS segment: length is not a multiple of 188");
  const shift = ((Math.round(ticks) % WRAP) + WRAP) % WRAP;
  const bytes = Uint8Array.from(segment);
  for (let packet = 0; packet < bytes.length; packet += PACKET_SIZE) {
    if (bytes[packet] !== SYNC_BYTE) throw new Error(`not an MPEG-TS segment: no sync byte at ${packet}`);
    const control = (bytes[packet + 3]! >> 4) & 0x03;
    let payload = packet + 4;
    if (control & 0x02) {
      const length = bytes[packet + 4]!;
      // PCR_flag (0x10) in the adaptation field's flags byte.
      if (length >= 7 && bytes[packet + 5]! & 0x10) shiftPcr(bytes, packet + 6, shift);
      payload = packet + 5 + length;
    }
    const unitStart = (bytes[packet + 1]! & 0x40) !== 0;
    if (unitStart && control & 0x01) shiftPes(bytes, payload, packet + PACKET_SIZE, shift);
  }
  return bytes;
}
