/**
 * S3 from the Worker over SigV4-signed fetch (aws4fetch, through callUpstream's failure policy):
 * ListObjectsV2 paged from a start key and stopped early, and GetObject with Range passthrough.
 *
 * workerd has no DOMParser, so the ListObjectsV2 XML is read by a strict single-pass scanner below. S3
 * documents that "a 200 OK response can contain valid or invalid XML"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), so anything that does
 * not parse becomes UpstreamError "malformed" (502), never a partial listing.
 */
import type { AwsEdgeClient } from "./client.ts";
import { UpstreamError } from "./errors.ts";
import { s3BucketUrl, s3ObjectUrl } from "./s3-url.ts";
import { callUpstream, readText } from "./upstream.ts";

// ---------------------------------------------------------------------------------------------
// ListObjectsV2: a single-pass, strict scanner

/** Thrown for a body that is not a well-formed ListBucketResult (in the subset of XML S3 uses). */
export class XmlError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = "XmlError";
  }
}

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
}

/** One ListObjectsV2 page. */
export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
  /** KeyCount as S3 wrote it (S3 counts CommonPrefixes too, s3rver does not), when present. */
  keyCount?: number;
}

// Character codes and classes, for checks that do not allocate.
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const SEMICOLON = 0x3b;
const LT = 0x3c;
const AMP = 0x26;
const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const isNameStart = (code: number) =>
  (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
const isNameChar = (code: number) =>
  isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * The character an entity or character reference stands for (XML 1.0 §4.1, §4.6): the five
 * predefined entities and numeric references; anything else throws (there is no DTD to define it).
 */
function referenceText(entity: string, position: number): string {
  const named = NAMED_ENTITIES[entity];
  if (named !== undefined) return named;
  const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(entity);
  if (!numeric) throw new XmlError(`unknown entity &${entity};`, position);
  const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
  // XML 1.0 Char production (§2.2): no NUL, no surrogates, nothing above U+10FFFF.
  if (code === 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
    throw new XmlError(`invalid character reference &${entity};`, position);
  }
  return String.fromCodePoint(code);
}

/** The end (after ";") of the reference whose "&" is at `amp`; throws unless it is well-formed. */
function referenceEnd(xml: string, amp: number): number {
  // The longest accepted reference is "&#1114111;": 10 characters.
  let semicolon = amp + 1;
  while (semicolon - amp <= 10 && semicolon < xml.length && xml.charCodeAt(semicolon) !== SEMICOLON) semicolon++;
  if (semicolon - amp > 10 || semicolon >= xml.length) throw new XmlError("unterminated entity reference", amp);
  // The predefined entities are recognised without allocating: S3 writes &quot; twice per ETag.
  const length = semicolon - amp - 1;
  if (
    !(length === 4 && xml.startsWith("quot", amp + 1)) &&
    !(length === 3 && xml.startsWith("amp", amp + 1)) &&
    !(length === 2 && (xml.startsWith("lt", amp + 1) || xml.startsWith("gt", amp + 1))) &&
    !(length === 4 && xml.startsWith("apos", amp + 1))
  ) {
    referenceText(xml.slice(amp + 1, semicolon), amp);
  }
  return semicolon + 1;
}

/** Character data `xml[from, to)` with its references replaced (they have been checked). */
function decodeText(xml: string, from: number, to: number): string {
  let out = "";
  let at = from;
  for (let amp = xml.indexOf("&", at); amp >= 0 && amp < to; amp = xml.indexOf("&", at)) {
    const semicolon = xml.indexOf(";", amp + 1);
    out += xml.slice(at, amp) + referenceText(xml.slice(amp + 1, semicolon), amp);
    at = semicolon + 1;
  }
  return out + xml.slice(at, to);
}

/** Digits only (after trimming, as a tree reader's `text.trim()` would), else -1. */
function decimalValue(text: string): number {
  const value = text.trim();
  if (value === "") return -1;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return -1;
  }
  return Number(value);
}

// Element names the scanner knows, by what it does with them. The fields it reads double as
// "which field's text is being collected" (NAME_OTHER: none).
const NAME_OTHER = 0;
const NAME_ROOT = 1;
const NAME_CONTENTS = 2;
const NAME_COMMON_PREFIXES = 3;
const NAME_KEY = 4;
const NAME_SIZE = 5;
const NAME_PREFIX = 6;
const NAME_IS_TRUNCATED = 7;
const NAME_NEXT_TOKEN = 8;
const NAME_KEY_COUNT = 9;
const NAME_ENCODING_TYPE = 10;

/** An element name with its tags written out, so a tag is recognised by one `startsWith`. */
interface ElementName {
  name: string;
  kind: number;
  startTag: string;
  endTag: string;
}

const elementName = (name: string, kind = NAME_OTHER): ElementName => ({
  name,
  kind,
  startTag: `<${name}>`,
  endTag: `</${name}>`,
});

/**
 * ListBucketResult's element names (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html),
 * the most frequent first. Other names are read character by character (and still accepted).
 */
const KNOWN_NAMES: readonly ElementName[] = [
  elementName("Contents", NAME_CONTENTS),
  elementName("Key", NAME_KEY),
  elementName("LastModified"),
  elementName("ETag"),
  elementName("Size", NAME_SIZE),
  elementName("StorageClass"),
  elementName("ChecksumAlgorithm"),
  elementName("ChecksumType"),
  elementName("Owner"),
  elementName("ID"),
  elementName("DisplayName"),
  elementName("RestoreStatus"),
  elementName("IsRestoreInProgress"),
  elementName("RestoreExpiryDate"),
  elementName("CommonPrefixes", NAME_COMMON_PREFIXES),
  elementName("Prefix", NAME_PREFIX),
  elementName("ListBucketResult", NAME_ROOT),
  elementName("Name"),
  elementName("KeyCount", NAME_KEY_COUNT),
  elementName("MaxKeys"),
  elementName("Delimiter"),
  elementName("IsTruncated", NAME_IS_TRUNCATED),
  elementName("EncodingType", NAME_ENCODING_TYPE),
  elementName("ContinuationToken"),
  elementName("NextContinuationToken", NAME_NEXT_TOKEN),
  elementName("StartAfter"),
];

/** KNOWN_NAMES by the code of their first letter. */
const NAMES_BY_FIRST_CODE: Array<ElementName[] | undefined> = [];
for (const known of KNOWN_NAMES) (NAMES_BY_FIRST_CODE[known.name.charCodeAt(0)] ??= []).push(known);

/** The name `xml[start, end)` (already checked to be a name). */
function nameAt(xml: string, start: number, end: number): ElementName {
  for (const known of NAMES_BY_FIRST_CODE[xml.charCodeAt(start)] ?? []) {
    if (known.name.length === end - start && xml.startsWith(known.name, start)) return known;
  }
  return elementName(xml.slice(start, end));
}

/** The end of the XML name at `at` (ASCII names, as S3's element and attribute names are). */
function nameEndAt(xml: string, at: number): number {
  if (!isNameStart(xml.charCodeAt(at))) throw new XmlError("expected a name", at);
  let i = at + 1;
  while (isNameChar(xml.charCodeAt(i))) i++;
  return i;
}

/** An attribute at `at` in the start tag of `element`: name, "=", quoted value; returns its end. */
function attributeEnd(xml: string, at: number, element: string): number {
  const malformed = () => new XmlError(`malformed attribute in <${element}>`, at);
  let j = nameEndAt(xml, at);
  while (isSpace(xml.charCodeAt(j))) j++;
  if (xml.charCodeAt(j) !== 0x3d /* = */) throw malformed();
  j++;
  while (isSpace(xml.charCodeAt(j))) j++;
  const quote = xml.charCodeAt(j);
  if (quote !== 0x22 && quote !== 0x27) throw malformed();
  // XML 1.0 §3.1 AttValue: no "<", references well-formed.
  j++;
  for (;;) {
    const code = xml.charCodeAt(j);
    if (code === quote) return j + 1;
    if (code === LT || j >= xml.length) throw malformed();
    j = code === AMP ? referenceEnd(xml, j) : j + 1;
  }
}

/**
 * One whole `<Contents>` as S3 writes it, matched natively in one step - several times faster
 * than tag by tag: Key first, then text-only elements with Size (digits) among them, and no
 * references but &quot; (the ETag's). Everything these match is well-formed and reads as the
 * general path reads it (the first Key and the first Size; the caller checks for "]]>" in text);
 * anything else (an Owner, other references, white space in Size...) takes the general path.
 * S3_CONTENTS is S3's exact layout (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_ResponseSyntax),
 * all literal tags; ANY_SIMPLE_CONTENTS allows any text-only elements in any order around them.
 */
const S3_CONTENTS =
  /<Contents><Key>([^<&]+)<\/Key><LastModified>[^<&]*<\/LastModified><ETag>[^<&]*(?:&quot;[^<&]*)*<\/ETag>(?:<ChecksumAlgorithm>[^<&]*<\/ChecksumAlgorithm>)?(?:<ChecksumType>[^<&]*<\/ChecksumType>)?<Size>(\d+)<\/Size>(?:<StorageClass>[^<&]*<\/StorageClass>)?<\/Contents>/y;
const ANY_SIMPLE_CONTENTS =
  /<Contents><Key>([^<&]+)<\/Key>(?:<(?!Size>)([A-Za-z_:][\w:.-]*)>[^<&]*(?:&quot;[^<&]*)*<\/\2>)*<Size>(\d+)<\/Size>(?:<([A-Za-z_:][\w:.-]*)>[^<&]*(?:&quot;[^<&]*)*<\/\4>)*<\/Contents>/y;

/** A simple `<Contents>` at `at`: its key, size text and end, or undefined. */
function simpleContents(xml: string, at: number): { key: string; size: string; end: number } | undefined {
  S3_CONTENTS.lastIndex = at;
  const exact = S3_CONTENTS.exec(xml);
  if (exact !== null) return { key: exact[1]!, size: exact[2]!, end: S3_CONTENTS.lastIndex };
  ANY_SIMPLE_CONTENTS.lastIndex = at;
  const any = ANY_SIMPLE_CONTENTS.exec(xml);
  if (any !== null) return { key: any[1]!, size: any[3]!, end: ANY_SIMPLE_CONTENTS.lastIndex };
  return undefined;
}

// The root's child being read.
const IN_OTHER = 0;
const IN_CONTENTS = 1;
const IN_COMMON_PREFIXES = 2;

/**
 * What the scanner has read: one plain object of fixed shape per body, passed to module-level
 * helpers (closures made per call would be new call targets for the optimiser on every page).
 */
interface Scan {
  inRootChild: number;
  /** The field whose text is being collected (a NAME_* kind, NAME_OTHER for none), its depth, its text so far. */
  field: number;
  fieldDepth: number;
  fieldText: string;
  key: string | undefined;
  size: string | undefined;
  prefix: string | undefined;
  isTruncated: string | undefined;
  nextToken: string | undefined;
  keyCount: string | undefined;
  encodingType: string | undefined;
  objects: ListedObject[];
  commonPrefixes: string[];
}

/** A start tag below the root, with `depth` open ancestors: starts collecting a field's text. */
function openElement(scan: Scan, depth: number, kind: number, at: number): void {
  if (scan.field !== NAME_OTHER) throw new XmlError("element inside a text-only field", at);
  let field = NAME_OTHER;
  if (depth === 1) {
    scan.inRootChild = IN_OTHER;
    switch (kind) {
      case NAME_CONTENTS:
        scan.inRootChild = IN_CONTENTS;
        scan.key = undefined;
        scan.size = undefined;
        break;
      case NAME_COMMON_PREFIXES:
        scan.inRootChild = IN_COMMON_PREFIXES;
        scan.prefix = undefined;
        break;
      // The first of each, as a tree reader's "first child named" would.
      case NAME_IS_TRUNCATED:
        if (scan.isTruncated === undefined) field = kind;
        break;
      case NAME_NEXT_TOKEN:
        if (scan.nextToken === undefined) field = kind;
        break;
      case NAME_KEY_COUNT:
        if (scan.keyCount === undefined) field = kind;
        break;
      case NAME_ENCODING_TYPE:
        if (scan.encodingType === undefined) field = kind;
        break;
    }
  } else if (depth === 2) {
    // Only direct children count (the elements of an Owner or RestoreStatus are not the object's).
    if (scan.inRootChild === IN_CONTENTS) {
      if ((kind === NAME_KEY && scan.key === undefined) || (kind === NAME_SIZE && scan.size === undefined)) {
        field = kind;
      }
    } else if (scan.inRootChild === IN_COMMON_PREFIXES) {
      if (kind === NAME_PREFIX && scan.prefix === undefined) field = kind;
    }
  }
  if (field !== NAME_OTHER) {
    scan.field = field;
    scan.fieldDepth = depth;
    scan.fieldText = "";
  }
}

/** An element below the root has closed; `depth` is its number of open ancestors. */
function closeElement(scan: Scan, depth: number, at: number): void {
  if (scan.field !== NAME_OTHER && depth === scan.fieldDepth) {
    const text = scan.fieldText;
    switch (scan.field) {
      case NAME_KEY:
        scan.key = text;
        break;
      case NAME_SIZE:
        scan.size = text;
        break;
      case NAME_PREFIX:
        scan.prefix = text;
        break;
      case NAME_IS_TRUNCATED:
        scan.isTruncated = text;
        break;
      case NAME_NEXT_TOKEN:
        scan.nextToken = text;
        break;
      case NAME_KEY_COUNT:
        scan.keyCount = text;
        break;
      case NAME_ENCODING_TYPE:
        scan.encodingType = text;
        break;
    }
    scan.field = NAME_OTHER;
    return;
  }
  if (depth !== 1) return;
  if (scan.inRootChild === IN_CONTENTS) {
    const key = scan.key;
    if (key === undefined || key === "") throw new XmlError("Contents without a Key", at);
    const size = scan.size === undefined ? -1 : decimalValue(scan.size);
    if (size < 0) throw new XmlError("Contents without a numeric Size", at);
    scan.objects.push({ key, size });
  } else if (scan.inRootChild === IN_COMMON_PREFIXES) {
    if (scan.prefix === undefined) throw new XmlError("CommonPrefixes without a Prefix", at);
    scan.commonPrefixes.push(scan.prefix);
  }
  scan.inRootChild = IN_OTHER;
}

/**
 * Reads a ListObjectsV2 response body in one pass over the text, without building a tree.
 *
 * Strict like a conforming XML parser on the subset S3 writes (elements, attributes, character
 * data, the five predefined entities and character references, CDATA, comments, processing
 * instructions): one root `<ListBucketResult>`, every end tag matching its start tag, no DOCTYPE
 * (S3 never sends one; refusing it rules out entity expansion), no "<" or bare "&" in text or
 * attribute values, no "]]>" outside CDATA, nothing but white space, comments and processing
 * instructions around the root. The fields it reads (Contents/Key and Size, CommonPrefixes/Prefix,
 * IsTruncated, NextContinuationToken, KeyCount, EncodingType) must hold text only. Anything else
 * throws XmlError, so a broken or cut-off 200 is never read as a shorter listing.
 *
 * It moves with `indexOf` from "<" to "<" (a builtin search is several times faster than a loop
 * over characters) and recognises S3's tags with one `startsWith` each.
 *
 * Keys are decoded when the response says it used `EncodingType=url` (S3 then writes a space as
 * "+" and "+" as "%2B").
 */
export function parseListObjectsV2(xml: string): ListPage {
  const length = xml.length;
  const scan: Scan = {
    inRootChild: IN_OTHER,
    field: NAME_OTHER,
    fieldDepth: 0,
    fieldText: "",
    key: undefined,
    size: undefined,
    prefix: undefined,
    isTruncated: undefined,
    nextToken: undefined,
    keyCount: undefined,
    encodingType: undefined,
    objects: [],
    commonPrefixes: [],
  };
  // Cursors over the next "&" and "]]>" (the body's length when there is none). Each occurrence
  // lies in exactly one region of the document and text regions are checked in order, so each is
  // looked at once; those in comments, CDATA, processing instructions and tags are skipped.
  let amp = xml.indexOf("&");
  if (amp < 0) amp = length;
  let cdataClose = xml.indexOf("]]>");
  if (cdataClose < 0) cdataClose = length;
  // Open elements, by depth.
  const open: ElementName[] = [];
  let depth = 0;
  let rootSeen = false;

  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    let lt = xml.indexOf("<", i);
    if (lt < 0) lt = length;
    if (lt > i) {
      // Character data xml[i, lt).
      if (depth === 0) {
        for (let j = i; j < lt; j++) {
          if (!isSpace(xml.charCodeAt(j))) {
            throw new XmlError(rootSeen ? "content after the root element" : "text outside the root element", j);
          }
        }
      } else {
        while (cdataClose < lt) {
          if (cdataClose >= i) throw new XmlError("']]>' in text", cdataClose);
          cdataClose = xml.indexOf("]]>", cdataClose + 1);
          if (cdataClose < 0) cdataClose = length;
        }
        let hasReferences = false;
        while (amp < lt) {
          if (amp >= i) {
            // referenceEnd accepts no "<" in a reference, so it ends within this text.
            hasReferences = true;
            amp = referenceEnd(xml, amp) - 1;
          }
          amp = xml.indexOf("&", amp + 1);
          if (amp < 0) amp = length;
        }
        if (scan.field !== NAME_OTHER) {
          const text = hasReferences ? decodeText(xml, i, lt) : xml.slice(i, lt);
          scan.fieldText = scan.fieldText === "" ? text : scan.fieldText + text;
        }
      }
    }
    if (lt >= length) break;
    const second = xml.charCodeAt(lt + 1);
    const contents = depth === 1 && second === 0x43 /* C */ ? simpleContents(xml, lt) : undefined;
    if (second === SLASH) {
      // End tag: the open element's name, optional white space, ">".
      if (depth === 0) throw new XmlError("end tag without a start tag", lt);
      const element = open[depth - 1]!;
      let j: number;
      if (xml.startsWith(element.endTag, lt)) {
        j = lt + element.endTag.length;
      } else {
        j = lt + 2 + element.name.length;
        if (!xml.startsWith(element.name, lt + 2) || isNameChar(xml.charCodeAt(j))) {
          throw new XmlError(`end tag </${xml.slice(lt + 2, nameEndAt(xml, lt + 2))}> does not match`, lt);
        }
        while (isSpace(xml.charCodeAt(j))) j++;
        if (xml.charCodeAt(j) !== GT) throw new XmlError("expected '>'", j);
        j++;
      }
      i = j;
      depth--;
      if (depth > 0) closeElement(scan, depth, lt);
    } else if (second === BANG) {
      if (xml.startsWith("<!--", lt)) {
        // XML 1.0 §2.5: "--" may not occur inside a comment, so the first "--" must close it.
        const end = xml.indexOf("--", lt + 4);
        if (end < 0) throw new XmlError("unterminated comment", lt);
        if (xml.charCodeAt(end + 2) !== GT) throw new XmlError("'--' inside a comment", end);
        i = end + 3;
      } else if (xml.startsWith("<![CDATA[", lt)) {
        const end = xml.indexOf("]]>", lt + 9);
        if (end < 0 || depth === 0) throw new XmlError("bad CDATA section", lt);
        if (scan.field !== NAME_OTHER) scan.fieldText += xml.slice(lt + 9, end);
        i = end + 3;
      } else if (xml.startsWith("<!DOCTYPE", lt)) {
        throw new XmlError("DOCTYPE is not accepted", lt);
      } else {
        throw new XmlError("unexpected markup declaration", lt);
      }
    } else if (second === QUESTION) {
      const end = xml.indexOf("?>", lt + 2);
      if (end < 0) throw new XmlError("unterminated processing instruction", lt);
      i = end + 2;
    } else if (contents !== undefined) {
      const end = contents.end;
      while (cdataClose < end) {
        if (cdataClose >= lt) throw new XmlError("']]>' in text", cdataClose);
        cdataClose = xml.indexOf("]]>", cdataClose + 1);
        if (cdataClose < 0) cdataClose = length;
      }
      // The only references in the match are &quot;.
      while (amp < end) {
        amp = xml.indexOf("&", amp + 1);
        if (amp < 0) amp = length;
      }
      scan.objects.push({ key: contents.key, size: Number(contents.size) });
      i = end;
    } else {
      // Start tag. S3's own tags have no attributes except the root's xmlns: one startsWith.
      let element: ElementName | undefined;
      let j = 0;
      let selfClosing = false;
      for (const known of NAMES_BY_FIRST_CODE[second] ?? []) {
        if (xml.startsWith(known.startTag, lt)) {
          element = known;
          j = lt + known.startTag.length;
          break;
        }
      }
      if (element === undefined) {
        // Any other start tag: a name, attributes (checked for form and ignored), ">" or "/>".
        const end = nameEndAt(xml, lt + 1);
        const name = xml.slice(lt + 1, end);
        j = end;
        for (;;) {
          const code = xml.charCodeAt(j);
          if (code === GT) {
            j++;
            break;
          }
          if (code === SLASH && xml.charCodeAt(j + 1) === GT) {
            selfClosing = true;
            j += 2;
            break;
          }
          if (!isSpace(code)) throw new XmlError(`malformed start tag <${name}>`, j);
          while (isSpace(xml.charCodeAt(j))) j++;
          const after = xml.charCodeAt(j);
          if (after !== GT && after !== SLASH) j = attributeEnd(xml, j, name);
        }
        element = nameAt(xml, lt + 1, end);
      }
      if (depth === 0) {
        if (rootSeen) throw new XmlError("content after the root element", lt);
        if (element.kind !== NAME_ROOT) {
          throw new XmlError(`root element is <${element.name}>, not <ListBucketResult>`, lt);
        }
        rootSeen = true;
      } else {
        openElement(scan, depth, element.kind, lt);
        if (selfClosing) closeElement(scan, depth, lt);
      }
      if (!selfClosing) open[depth++] = element;
      i = j;
    }
  }
  if (depth > 0 || !rootSeen) throw new XmlError("unexpected end of document", length);

  const truncated = scan.isTruncated?.trim();
  if (truncated !== "true" && truncated !== "false") throw new XmlError("IsTruncated is missing or not a boolean", 0);
  const token = scan.nextToken;
  if (truncated === "true" && (token === undefined || token === "")) {
    throw new XmlError("IsTruncated is true but NextContinuationToken is missing", 0);
  }
  const keyCount = scan.keyCount === undefined ? undefined : decimalValue(scan.keyCount);
  if (keyCount === -1) throw new XmlError("KeyCount is not a number", 0);
  const { objects, commonPrefixes } = scan;
  if (scan.encodingType?.trim() === "url") {
    for (const object of objects) object.key = decodeUrlKey(object.key);
    for (let k = 0; k < commonPrefixes.length; k++) commonPrefixes[k] = decodeUrlKey(commonPrefixes[k]!);
  }
  const page: ListPage = { objects, commonPrefixes, isTruncated: truncated === "true" };
  page.nextContinuationToken = token || undefined;
  if (keyCount !== undefined) page.keyCount = keyCount;
  return page;
}

/** A key written with EncodingType=url: "+" is a space, "%XX" a UTF-8 byte. */
function decodeUrlKey(value: string): string {
  // Segment names and most keys have neither: no work, no allocation.
  if (value.indexOf("%") < 0 && value.indexOf("+") < 0) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, "%20"));
  } catch {
    throw new XmlError("undecodable url-encoded key", 0);
  }
}

export interface ListRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  startAfter?: string;
  continuationToken?: string;
  maxKeys?: number;
}

/** One ListObjectsV2 call. Non-2xx answers and unparsable bodies throw UpstreamError. */
export async function listObjectsV2Page(aws: AwsEdgeClient, request: ListRequest): Promise<ListPage> {
  const query = new URLSearchParams({ "list-type": "2", "encoding-type": "url", prefix: request.prefix });
  if (request.delimiter !== undefined) query.set("delimiter", request.delimiter);
  if (request.startAfter !== undefined) query.set("start-after", request.startAfter);
  if (request.continuationToken !== undefined) query.set("continuation-token", request.continuationToken);
  if (request.maxKeys !== undefined) query.set("max-keys", String(request.maxKeys));
  const response = await callUpstream(aws, {
    service: "s3",
    url: s3BucketUrl(aws.endpoints.s3, request.bucket, query),
    init: { method: "GET" },
  });
  if (!response.ok) {
    await response.body?.cancel();
    // Only the status: S3 error bodies can carry the canonical request (SignatureDoesNotMatch).
    throw new UpstreamError("s3", "rejected", `ListObjectsV2 HTTP ${response.status}`);
  }
  const body = await readText("s3", response);
  try {
    return parseListObjectsV2(body);
  } catch (error) {
    throw new UpstreamError("s3", "malformed", `ListObjectsV2: ${(error as Error).message}`);
  }
}

/**
 * Lists keys in ascending order from `startAfter`, page by page (continuation tokens), and stops
 * as soon as `isPastEnd(key)` is true for a listed key or the listing ends. The number of calls
 * therefore depends on how many keys lie between the start and the end, never on how many the
 * prefix holds before or after them. Returns the objects before the end and, as `next`, the first
 * object past it when that came on the same pages (callers use it as a look-ahead, e.g. for the
 * duration of the last segment before the end). At most `maxPages` pages are read, so a request
 * stays within Workers' subrequest limit (50 on the free plan) even when unexpected objects
 * crowd the range; `exhausted` says the end was not reached.
 */
export async function listObjectsUntil(
  aws: AwsEdgeClient,
  request: Omit<ListRequest, "continuationToken">,
  isPastEnd: (key: string) => boolean,
  maxPages: number,
): Promise<{ objects: ListedObject[]; next?: ListedObject; exhausted?: true }> {
  const objects: ListedObject[] = [];
  let continuationToken: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await listObjectsV2Page(aws, { ...request, continuationToken });
    for (const object of page.objects) {
      if (isPastEnd(object.key)) return { objects, next: object };
      objects.push(object);
    }
    if (!page.isTruncated) return { objects };
    if (pages >= maxPages) return { objects, exhausted: true };
    continuationToken = page.nextContinuationToken;
  }
}

// ---------------------------------------------------------------------------------------------
// GetObject

/** Request headers passed through to S3 for a GetObject. */
const PASSTHROUGH_REQUEST_HEADERS = ["range", "if-none-match", "if-modified-since", "if-match", "if-range"] as const;

/** Response headers passed back from S3 (no x-amz-* headers: they can name internals). */
export const PASSTHROUGH_RESPONSE_HEADERS = [
  "content-length",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
] as const;

export interface GetObjectResult {
  /** 200, 206, 304 or 416. */
  status: number;
  headers: Headers;
  body: ReadableStream | null;
}

/**
 * GetObject with conditional and Range headers passed through - or, with `method: "HEAD"`,
 * HeadObject (the same headers and statuses, no body: https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 * Returns undefined for a missing object (404); other failures throw UpstreamError without the S3 body.
 */
export async function getObject(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string; headers?: Headers; method?: "GET" | "HEAD" },
): Promise<GetObjectResult | undefined> {
  const headers = new Headers();
  for (const name of PASSTHROUGH_REQUEST_HEADERS) {
    const value = request.headers?.get(name);
    if (value) headers.set(name, value);
  }
  const response = await callUpstream(aws, {
    service: "s3",
    url: s3ObjectUrl(aws.endpoints.s3, request.bucket, request.key),
    init: { method: request.method ?? "GET", headers },
  });
  // Only 404 means "no such object". A 403 is a permission problem (with s3:ListBucket granted,
  // as the recordings listing needs, S3 answers 404 for missing keys) and must reach an operator.
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status === 200 || response.status === 206 || response.status === 304 || response.status === 416) {
    const out = new Headers();
    for (const name of PASSTHROUGH_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) out.set(name, value);
    }
    const noBody = response.status === 304 || request.method === "HEAD";
    if (noBody) await response.body?.cancel();
    return { status: response.status, headers: out, body: noBody ? null : response.body };
  }
  await response.body?.cancel();
  throw new UpstreamError(
    "s3",
    "rejected",
    `${request.method === "HEAD" ? "HeadObject" : "GetObject"} HTTP ${response.status}`,
  );
}

/** GetObject of a small text object (a playlist, info.json); undefined when missing. */
export async function getObjectText(
  aws: AwsEdgeClient,
  request: { bucket: string; key: string },
): Promise<string | undefined> {
  const result = await getObject(aws, request);
  if (result === undefined) return undefined;
  if (result.status !== 200) {
    await result.body?.cancel();
    throw new UpstreamError("s3", "rejected", `GetObject HTTP ${result.status}`);
  }
  const response = new Response(result.body);
  return readText("s3", response);
}
