/**
 * The slow and stalling S3 bodies of test/support/chaos-upstream.ts, shared with the Worker tests
 * (no Node imports: this module also loads in workerd).
 */

/** Size of the slow and stalling S3 bodies: a 188 KB segment, as in the attack run of issue 9. */
export const SLOW_BODY_BYTES = 188_000;

/** Bytes [from, to) of the slow body: byte i is i % 251, so a lost or repeated chunk shows. */
export function slowBodyBytes(from: number, to: number): Uint8Array {
  const bytes = new Uint8Array(to - from);
  for (let i = from; i < to; i++) bytes[i - from] = i % 251;
  return bytes;
}
