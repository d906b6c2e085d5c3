/**
 * Upload key names, pure: the user's file name made safe, placed in a folder of its own under the
 * upload prefix, so two uploads never share a key (docs/api.md "Upload key names").
 *
 * Rule for the name (in this order):
 * 1. Unicode NFC, so "é" typed on macOS (NFD) and on Windows (NFC) is one name.
 * 2. Path parts dropped: only what follows the last "/" or "\" (browsers send bare names, CLIs may not).
 * 3. Every character that is not a letter, a digit, a combining mark, "." , "-" or "_" becomes "_"
 *    (runs collapse to one, and one next to a "." goes): no spaces, "+", "%", quotes or controls,
 *    which S3 event keys, URLs and shells each treat differently
 *    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
 * 4. Leading and trailing ".", "_" and "-" removed (no hidden files, no "." or ".." segments); a
 *    name that was only an extension becomes "file.<extension>".
 * 5. Capped at MAX_NAME_BYTES of UTF-8, cutting the stem and keeping the extension.
 * A name that is empty after this is refused (400).
 *
 * Collision rule: the key is `<prefix><UTC time>-<random>/<name>`, e.g.
 * `uploads/20261205T223000Z-3f9c2a7b1e04d6a8/My_clip.mp4`: 64 random bits per upload, so the same
 * file name uploaded twice (even in the same second) gets two keys, two jobs and two outputs. The
 * folder never matches the Lambdas' output-folder pattern (`_<14 digits>/`).
 */
import { isAddressableKey } from "../aws/s3-url.ts";

/** Longest sanitised file name in UTF-8 bytes: with the folder, far inside S3's 1,024-byte key limit. */
export const MAX_NAME_BYTES = 200;

const utf8 = new TextEncoder();

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = "";
  for (const char of text) {
    bytes += utf8.encode(char).length;
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/** The file name made safe (rules 1-5 above); "" when nothing usable is left. */
export function sanitizeFileName(fileName: string): string {
  const base = fileName.normalize("NFC").split(/[/\\]/).pop() ?? "";
  const safe = base
    .replace(/[^\p{L}\p{N}\p{M}._-]+/gu, "_")
    .replace(/_+/g, "_")
    .replace(/_?\._?/g, ".")
    .replace(/[._-]+$/, "")
    // A name that is only an extension (say "🎬.mp4") keeps it, as "file.mp4".
    .replace(/^[_-]*\.([^.]+)$/, "file.$1")
    .replace(/^[._-]+/, "");
  if (utf8.encode(safe).length <= MAX_NAME_BYTES) return safe;
  const dot = safe.lastIndexOf(".");
  const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : "";
  const stem = safe.slice(0, safe.length - extension.length);
  const cut = truncateUtf8(stem, MAX_NAME_BYTES - utf8.encode(extension).length).replace(/[._-]+$/, "");
  return cut === "" ? "" : cut + extension;
}

/** `20261205T223000Z`: the folder's time part (sorts by upload time in a listing). */
function compactUtc(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** 16 hex digits from the Web Crypto random source. */
export function randomHex64(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The key of a new upload: `<prefix><time>-<random>/<safe name>`. `prefix` is "" or ends in "/".
 * Returns undefined when the name is empty after sanitising.
 */
export function uploadKey(
  prefix: string,
  fileName: string,
  now: Date = new Date(),
  random: string = randomHex64(),
): string | undefined {
  const name = sanitizeFileName(fileName);
  if (name === "") return undefined;
  return `${prefix}${compactUtc(now)}-${random}/${name}`;
}

/**
 * Whether `key` is one uploadKey gave under `prefix` (at any depth below it, for tokens bound to a
 * sub-prefix): what the part, complete and abort routes accept as input_file. Never a key with a "."
 * or ".." segment: the token's prefix is checked on the text, but URL parsing would collapse the
 * segment into another key (isAddressableKey), which uploadKey never makes.
 */
export function isUploadKey(prefix: string, key: string): boolean {
  if (!key.startsWith(prefix) || !isAddressableKey(key)) return false;
  const match = /(?:^|\/)\d{8}T\d{6}Z-[0-9a-f]{16}\/([^/]+)$/.exec(key.slice(prefix.length));
  return match !== null && sanitizeFileName(match[1]!) === match[1];
}

/**
 * The folder a token's upload prefix puts new uploads in, or undefined when the prefix lies outside
 * the upload prefix (the token cannot grant keys the Lambdas would not transcode). `upload:*` ("")
 * and any prefix above the upload prefix give the upload prefix itself.
 */
export function uploadBase(uploadPrefix: string, tokenPrefix: string): string | undefined {
  if (uploadPrefix.startsWith(tokenPrefix)) return uploadPrefix;
  if (!tokenPrefix.startsWith(uploadPrefix)) return undefined;
  return tokenPrefix.endsWith("/") ? tokenPrefix : `${tokenPrefix}/`;
}
