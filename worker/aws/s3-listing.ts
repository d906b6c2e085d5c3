/**
 * The ListObjectsV2 response reader. workerd has no DOMParser, and a listing needs only a few
 * fields, so the body is read by sticky regular expressions over S3's `ListBucketResult` shape
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_ResponseSyntax)
 * rather than into a tree. S3 documents that "a 200 OK response can contain valid or invalid XML",
 * so anything that is not a well-formed listing throws XmlError (the caller answers 502), never a
 * partial listing.
 */

/** One ListObjectsV2 request: a page of the keys under `prefix` (the Worker's and the Lambdas'). */
export interface ListRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** The first page's start (keys after this one). */
  startAfter?: string;
  /** The next page's token (the previous page's `nextContinuationToken`). */
  continuationToken?: string;
  maxKeys?: number;
}

/**
 * A request's query, decoded, in the order it is sent. `encoding-type=url` always: S3 then encodes
 * the keys it returns, so parseListObjectsV2 decodes every key exactly (a raw key can hold
 * characters XML 1.0 cannot carry).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_RequestSyntax
 */
export function listObjectsV2Query(request: ListRequest): Record<string, string> {
  const query: Record<string, string> = { "list-type": "2", "encoding-type": "url", prefix: request.prefix };
  if (request.delimiter !== undefined) query.delimiter = request.delimiter;
  if (request.startAfter !== undefined) query["start-after"] = request.startAfter;
  if (request.continuationToken !== undefined) query["continuation-token"] = request.continuationToken;
  if (request.maxKeys !== undefined) query["max-keys"] = String(request.maxKeys);
  return query;
}

/** Thrown for a body that is not a well-formed ListBucketResult. */
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

// XML 1.0 (https://www.w3.org/TR/xml/) productions, in the subset S3 writes: the XML declaration
// (§2.8, checked for form), white space (§2.3, not JavaScript's \s), ASCII names, references (§4.1), comments (§2.5,
// no "--" inside), CDATA (§2.7), character data without "<", a bare "&" or "]]>" (§2.4). S3 writes
// no other processing instruction and no DOCTYPE, so they are refused (no entity expansion).
const S = "[ \\t\\r\\n]";
const NAME = "[A-Za-z_:][\\w:.-]*";
const REF = "&(?:lt|gt|amp|quot|apos|#x[0-9a-fA-F]{1,6}|#[0-9]{1,7});";
const COMMENT = "<!--(?:[^-]|-(?!-))*-->";
const CDATA = "<!\\[CDATA\\[(?:[^\\]]|\\](?!\\]>))*\\]\\]>";
// The patterns built from those, compiled by compilePatterns on the first parse rather than as the
// module loads: esbuild cannot tell that building them has no side effect, so at the top level
// they went into every bundle that imports this module without parsing (the Lambdas that only
// write S3 objects, through aws-lambdas/shared/s3-objects.ts).
let XML_DECLARATION: RegExp;
let MISC: RegExp;
let TEXT: RegExp;
let START_TAG: RegExp;
let END_TAG: RegExp;
/** What decodeText replaces in text TEXT has matched: CDATA by its content, references, no comments. */
let MARKUP_IN_TEXT: RegExp;

/**
 * One whole `<Contents>` as S3 writes it, matched in one step - several times faster than element
 * by element (docs/performance.md): Key first, text-only elements with Size (digits) among them,
 * no references but the ETag's &quot; and no "]" (so no "]]>"). S3_CONTENTS is S3's exact layout;
 * ANY_SIMPLE_CONTENTS allows white space (s3rver's layout) and, in any order around Key and
 * Size, elements holding text or text-only elements. Anything else (other references, CDATA,
 * comments, deeper nesting) is read by readElement.
 */
const S3_CONTENTS =
  /<Contents><Key>([^<&\]]+)<\/Key><LastModified>[^<&\]]*<\/LastModified><ETag>[^<&\]]*(?:&quot;[^<&\]]*)*<\/ETag>(?:<ChecksumAlgorithm>[^<&\]]*<\/ChecksumAlgorithm>)?(?:<ChecksumType>[^<&\]]*<\/ChecksumType>)?<Size>(\d+)<\/Size>(?:<StorageClass>[^<&\]]*<\/StorageClass>)?<\/Contents>/y;
let ANY_SIMPLE_CONTENTS: RegExp;
let compiled = false;

function compilePatterns(): void {
  const VALUE = `"(?:[^"<&]|${REF})*"|'(?:[^'<&]|${REF})*'`;
  const ATTRIBUTES = `(?:${S}+${NAME}${S}*=${S}*(?:${VALUE}))*`;
  XML_DECLARATION = new RegExp(`<\\?xml${ATTRIBUTES}${S}*\\?>`, "y");
  MISC = new RegExp(`(?:${S}+|${COMMENT})*`, "y");
  TEXT = new RegExp(`(?:[^<&\\]]+|\\](?!\\]>)|${REF}|${CDATA}|${COMMENT})*`, "y");
  START_TAG = new RegExp(`<(${NAME})(${ATTRIBUTES})${S}*(/?)>`, "y");
  END_TAG = new RegExp(`</(${NAME})${S}*>`, "y");
  MARKUP_IN_TEXT = new RegExp(`${CDATA}|${COMMENT}|&([^;]*);`, "g");
  const SIMPLE_TEXT = "[^<&\\]]*(?:&quot;[^<&\\]]*)*";
  /** A child of Contents other than Key and Size: text only, or text-only elements (Owner, RestoreStatus). */
  const OTHER_CHILD = (name: number) =>
    `<(${NAME})>(?:${SIMPLE_TEXT}|${S}*(?:<(${NAME})>${SIMPLE_TEXT}</\\${name + 1}>${S}*)*)</\\${name}>${S}*`;
  ANY_SIMPLE_CONTENTS = new RegExp(
    `<Contents>${S}*<Key>([^<&\\]]+)</Key>${S}*(?:(?!<Size>)${OTHER_CHILD(2)})*` +
      `<Size>${S}*(\\d+)${S}*</Size>${S}*(?:${OTHER_CHILD(5)})*</Contents>`,
    "y",
  );
  compiled = true;
}

/** S3 nests three levels below the root (Contents/Owner/ID); deeper is refused, not recursed into. */
const MAX_DEPTH = 8;

/** An element read by readElement: its direct children and, for text-only elements, its text. */
interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
  end: number;
}

/** The fields of a page, as text, the first of each (as a tree reader's "first child named" would). */
interface Scan {
  objects: ListedObject[];
  commonPrefixes: string[];
  fields: Map<string, string>;
}

const ROOT_FIELDS = new Set(["IsTruncated", "NextContinuationToken", "KeyCount", "EncodingType"]);
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The character a reference stands for; a numeric one must be an XML Char (§2.2, §4.1 "Legal Character"). */
export function referenceText(entity: string, position: number): string {
  const named = NAMED_ENTITIES[entity];
  if (named !== undefined) return named;
  const code = entity[1] === "x" ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
  const isChar =
    code >= 0x20
      ? code <= 0xd7ff || (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff)
      : code === 0x9 || code === 0xa || code === 0xd;
  if (!isChar) throw new XmlError(`invalid character reference &${entity};`, position);
  return String.fromCodePoint(code);
}

/** Text TEXT has matched, with references replaced, CDATA unwrapped, comments dropped. */
function decodeText(raw: string, position: number): string {
  if (raw.indexOf("&") < 0 && raw.indexOf("<") < 0) return raw;
  return raw.replace(MARKUP_IN_TEXT, (markup: string, entity: string | undefined) => {
    if (entity !== undefined) return referenceText(entity, position);
    return markup.startsWith("<![") ? markup.slice(9, -3) : "";
  });
}

/** Runs a sticky regular expression at `at`; its match, or XmlError(`message`). */
function matchAt(pattern: RegExp, xml: string, at: number, message: string): RegExpExecArray {
  pattern.lastIndex = at;
  const match = pattern.exec(xml);
  if (match === null) throw new XmlError(message, at);
  return match;
}

/** The element whose start tag is at `at`, with its content: text and well-formed child elements. */
function readElement(xml: string, at: number, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new XmlError("elements nested too deep", at);
  const start = matchAt(START_TAG, xml, at, "expected a start tag");
  const element: XmlElement = { name: start[1]!, text: "", children: [], end: START_TAG.lastIndex };
  // Attributes are ignored (S3 writes only the root's xmlns), but their references must be valid.
  if (start[2]!.includes("&")) decodeText(start[2]!, at);
  if (start[3] === "/") return element;
  let i = element.end;
  for (;;) {
    TEXT.lastIndex = i;
    TEXT.exec(xml);
    if (TEXT.lastIndex > i) element.text += decodeText(xml.slice(i, TEXT.lastIndex), i);
    i = TEXT.lastIndex;
    if (xml.startsWith("</", i)) break;
    const child = readElement(xml, i, depth + 1);
    element.children.push(child);
    i = child.end;
  }
  const end = matchAt(END_TAG, xml, i, "malformed end tag");
  if (end[1] !== element.name) throw new XmlError(`end tag </${end[1]}> does not match <${element.name}>`, i);
  element.end = END_TAG.lastIndex;
  return element;
}

/** A field's text (the fields read hold text only); undefined for a missing field. */
function textOf(field: XmlElement | undefined): string | undefined {
  if (field !== undefined && field.children.length > 0)
    throw new XmlError(`<${field.name}> holds an element`, field.end);
  return field?.text;
}

const firstChild = (parent: XmlElement, name: string) => parent.children.find((child) => child.name === name);

/** Digits only (after trimming, as S3-compatible servers pad them), else -1. */
function decimalValue(text: string): number {
  const value = text.trim();
  return /^\d+$/.test(value) ? Number(value) : -1;
}

/** A child of the root read by readElement: an object, a common prefix, a field or something ignored. */
function readRootChild(scan: Scan, element: XmlElement): void {
  if (element.name === "Contents") {
    const key = textOf(firstChild(element, "Key"));
    if (key === undefined || key === "") throw new XmlError("Contents without a Key", element.end);
    const size = decimalValue(textOf(firstChild(element, "Size")) ?? "");
    if (size < 0) throw new XmlError("Contents without a numeric Size", element.end);
    scan.objects.push({ key, size });
  } else if (element.name === "CommonPrefixes") {
    const prefix = textOf(firstChild(element, "Prefix"));
    if (prefix === undefined) throw new XmlError("CommonPrefixes without a Prefix", element.end);
    scan.commonPrefixes.push(prefix);
  } else if (ROOT_FIELDS.has(element.name) && !scan.fields.has(element.name)) {
    scan.fields.set(element.name, textOf(element)!);
  }
}

/** The root's children from `at` to its end tag (returns the offset after it). */
function readRootChildren(scan: Scan, xml: string, at: number): number {
  for (;;) {
    // White space or a comment first (a start tag is the common case: no call).
    if (xml.charCodeAt(at) !== 0x3c /* < */ || xml.charCodeAt(at + 1) === 0x21 /* ! */) at = skipMisc(xml, at);
    S3_CONTENTS.lastIndex = ANY_SIMPLE_CONTENTS.lastIndex = at;
    const contents = S3_CONTENTS.exec(xml) ?? ANY_SIMPLE_CONTENTS.exec(xml);
    if (contents !== null) {
      // Size is S3_CONTENTS's group 2 (of 2), ANY_SIMPLE_CONTENTS's group 4 (of 6).
      scan.objects.push({ key: contents[1]!, size: Number(contents[contents.length === 3 ? 2 : 4]) });
      at += contents[0].length;
      continue;
    }
    if (xml.startsWith("</", at)) {
      const end = matchAt(END_TAG, xml, at, "malformed end tag");
      if (end[1] !== "ListBucketResult") throw new XmlError(`end tag </${end[1]}> does not match`, at);
      return END_TAG.lastIndex;
    }
    const child = readElement(xml, at, 1);
    readRootChild(scan, child);
    at = child.end;
  }
}

/** The offset after white space and comments at `at`. */
function skipMisc(xml: string, at: number): number {
  MISC.lastIndex = at;
  MISC.exec(xml);
  return MISC.lastIndex;
}

/**
 * Reads a ListObjectsV2 response body: one `<ListBucketResult>` (after an optional XML declaration
 * and comments) whose Contents (Key, Size), CommonPrefixes (Prefix), IsTruncated,
 * NextContinuationToken, KeyCount and EncodingType are read; other elements (Owner, Checksum*,
 * RestoreStatus, anything S3 adds) are checked for form and ignored. Throws XmlError for anything
 * else: malformed XML, a DOCTYPE or processing instruction, text directly inside the root, a read
 * field holding an element, a missing or non-boolean IsTruncated, a truncated page without a token,
 * Contents without a Key or a numeric Size, a cut-off body. Keys are decoded when the response
 * says it used `EncodingType=url` (S3 then writes a space as "+" and "+" as "%2B").
 */
export function parseListObjectsV2(xml: string): ListPage {
  if (!compiled) compilePatterns();
  const scan: Scan = { objects: [], commonPrefixes: [], fields: new Map() };
  const bom = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  XML_DECLARATION.lastIndex = bom;
  const rootAt = skipMisc(xml, XML_DECLARATION.exec(xml) === null ? bom : XML_DECLARATION.lastIndex);
  const root = matchAt(START_TAG, xml, rootAt, "expected the root element");
  if (root[1] !== "ListBucketResult") throw new XmlError(`root element is <${root[1]}>, not <ListBucketResult>`, 0);
  if (root[2]!.includes("&")) decodeText(root[2]!, rootAt);
  const end = root[3] === "/" ? START_TAG.lastIndex : readRootChildren(scan, xml, START_TAG.lastIndex);
  if (skipMisc(xml, end) !== xml.length) throw new XmlError("content after the root element", end);
  return pageOf(scan);
}

/** The page a scan describes, after its end checks. */
function pageOf({ objects, commonPrefixes, fields }: Scan): ListPage {
  const truncated = fields.get("IsTruncated")?.trim();
  if (truncated !== "true" && truncated !== "false") throw new XmlError("IsTruncated is missing or not a boolean", 0);
  const token = fields.get("NextContinuationToken");
  if (truncated === "true" && (token === undefined || token === "")) {
    throw new XmlError("IsTruncated is true but NextContinuationToken is missing", 0);
  }
  const keyCount = fields.has("KeyCount") ? decimalValue(fields.get("KeyCount")!) : undefined;
  if (keyCount === -1) throw new XmlError("KeyCount is not a number", 0);
  if (fields.get("EncodingType")?.trim() === "url") {
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
