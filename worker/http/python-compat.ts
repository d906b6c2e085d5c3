/**
 * Exact reimplementations of the two Python behaviours the seed's Lambda@Edge functions expose to
 * frontends, so a frontend written for the seed sees the same answers:
 * - `urllib.parse.parse_qs(qs)` with its defaults (keep_blank_values=False, strict_parsing=False,
 *   separator="&", encoding="utf-8", errors="replace"):
 *   https://github.com/python/cpython/blob/3.11/Lib/urllib/parse.py (parse_qsl, unquote)
 * - `json.dumps(obj)` with its defaults (ensure_ascii=True, separators (", ", ": ")):
 *   https://docs.python.org/3/library/json.html#json.dumps
 * URLSearchParams differs from parse_qs (it keeps blank values and stops at malformed escapes
 * differently), hence our own code. Python keeps a leading BOM (ignoreBOM: true).
 */

const utf8Replace = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Python's `unquote(s, errors="replace")`: valid %XX escapes become bytes, the bytes are decoded
 * as UTF-8 with U+FFFD for invalid sequences, malformed escapes ("%zz", "%4") stay as they are.
 */
export function pythonUnquote(value: string): string {
  if (!value.includes("%")) return value;
  const source = utf8Encoder.encode(value);
  const bytes = new Uint8Array(source.length);
  let length = 0;
  for (let index = 0; index < source.length; index++) {
    const byte = source[index]!;
    if (byte === 0x25 && index + 2 < source.length && isHex(source[index + 1]) && isHex(source[index + 2])) {
      bytes[length++] = parseInt(String.fromCharCode(source[index + 1]!, source[index + 2]!), 16);
      index += 2;
    } else {
      bytes[length++] = byte;
    }
  }
  return utf8Replace.decode(bytes.subarray(0, length));
}

function isHex(byte: number | undefined): boolean {
  return (
    byte !== undefined &&
    ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66))
  );
}

/** Python's `parse_qs(qs)`: name -> every non-blank value, in order. */
export function pythonParseQs(query: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const field of query.split("&")) {
    if (field === "") continue;
    const equals = field.indexOf("=");
    // A field without "=" is skipped, and so is a blank value (keep_blank_values=False).
    if (equals === -1 || equals === field.length - 1) continue;
    const name = pythonUnquote(plusAsSpace(field.slice(0, equals)));
    const value = pythonUnquote(plusAsSpace(field.slice(equals + 1)));
    const values = result.get(name);
    if (values) values.push(value);
    else result.set(name, [value]);
  }
  return result;
}

/** parse_qs's "+" -> " "; the regular expression only runs when there is a "+" (every lookup parses its query). */
function plusAsSpace(text: string): string {
  return text.includes("+") ? text.replace(/\+/g, " ") : text;
}

/** The raw query string of a URL, without "?" (what CloudFront hands Lambda@Edge as `querystring`). */
export function rawQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const end = url.indexOf("#", start);
  // url.length, not undefined, for "to the end": V8's Maglev code for slice() expects a small-integer
  // end, and an undefined one deoptimised this function (and seedKeyParameter, which inlines it) on
  // its first optimised call, sending both back to the interpreter for ~1,000 more lookups
  // (`--trace-deopt`: "not a Smi", bench/v8/tier-up.ts, issue 12).
  return url.slice(start + 1, end === -1 ? url.length : end);
}

const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;
const asciiEscape = (c: string) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");

/** Whether json.dumps leaves `text` as it is between quotes: " "..."~" without '"' or "\\". */
function isPlainAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return false;
  }
  return true;
}

/** Python's `json.dumps(value)` for JSON-compatible data (integers, strings, lists, dicts, bool, None). */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("not JSON serializable");
    return String(value);
  }
  if (typeof value === "string") {
    // Keys, statuses and ids are printable ASCII with nothing to escape: quoted as they are, rather
    // than JSON.stringify and a regular expression per string (7 strings per status body, issue 12).
    if (isPlainAscii(value)) return `"${value}"`;
    // ensure_ascii escapes everything outside " "..."~" (DEL included), per UTF-16 code unit, in
    // lowercase hex; JSON.stringify already escapes the C0 controls the same way.
    const json = JSON.stringify(value);
    return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, asciiEscape) : json;
  }
  if (Array.isArray(value)) return "[" + value.map(pythonJsonDumps).join(", ") + "]";
  if (typeof value === "object") {
    // A loop rather than entries/filter/map/join: every status answer is built here (issue 12).
    let json = "";
    for (const key of Object.keys(value as object)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      json += (json === "" ? "{" : ", ") + pythonJsonDumps(key) + ": " + pythonJsonDumps(item);
    }
    return json === "" ? "{}" : json + "}";
  }
  throw new TypeError(`${typeof value} is not JSON serializable`);
}
