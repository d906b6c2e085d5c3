/**
 * The tree-building XML reader that worker/aws/s3.ts used before its single-pass ListObjectsV2
 * scanner, kept here as a test oracle: the scanner must accept exactly what this accepts (within
 * the documented stricter cases) and read the same listing from it.
 */
import { XmlError, type ListedObject, type ListPage } from "../../../worker/aws/s3.ts";

// -------------------------------------------------------------------------------------------
// A strict XML reader for S3's responses (elements, text, entities, CDATA; no DTDs)

/** An XML element: name (without namespace prefix handling beyond the literal name), children, text. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ATTRIBUTE = /\s+[A-Za-z_:][A-Za-z0-9_:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*')/y;

// Character classes by code, for a loop that does not allocate per character.
const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const isNameStart = (code: number) =>
  (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
const isNameChar = (code: number) =>
  isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string, position: number): string {
  let out = "";
  let from = 0;
  for (let amp = text.indexOf("&"); amp >= 0; amp = text.indexOf("&", from)) {
    const semicolon = text.indexOf(";", amp + 1);
    if (semicolon < 0 || semicolon - amp > 10) throw new XmlError("unterminated entity reference", position + amp);
    const entity = text.slice(amp + 1, semicolon);
    let replacement = NAMED_ENTITIES[entity];
    if (replacement === undefined) {
      const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(entity);
      if (!numeric) throw new XmlError(`unknown entity &${entity};`, position + amp);
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      // XML 1.0 Char production (§2.2): no NUL, no surrogates, nothing above U+10FFFF.
      if (code === 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
        throw new XmlError(`invalid character reference &${entity};`, position + amp);
      }
      replacement = String.fromCodePoint(code);
    }
    out += text.slice(from, amp) + replacement;
    from = semicolon + 1;
  }
  return out + text.slice(from);
}

/**
 * Parses an XML document into its root element. Strict: one root, matching end tags, known
 * entities only, no DOCTYPE (S3 never sends one, and refusing it rules out entity expansion).
 */
export function parseXml(xml: string): XmlElement {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const length = xml.length;
  const skipSpace = () => {
    while (i < length && isSpace(xml.charCodeAt(i))) i++;
  };
  const skipTo = (terminator: string, what: string) => {
    const end = xml.indexOf(terminator, i);
    if (end < 0) throw new XmlError(`unterminated ${what}`, i);
    i = end + terminator.length;
  };
  const readName = (): string => {
    const start = i;
    if (i >= length || !isNameStart(xml.charCodeAt(i))) throw new XmlError("expected a name", i);
    i++;
    while (i < length && isNameChar(xml.charCodeAt(i))) i++;
    return xml.slice(start, i);
  };

  // Prolog: XML declaration, comments, processing instructions; no DOCTYPE.
  for (;;) {
    skipSpace();
    if (xml.startsWith("<?", i)) skipTo("?>", "processing instruction");
    else if (xml.startsWith("<!--", i)) skipTo("-->", "comment");
    else break;
  }
  if (xml.startsWith("<!DOCTYPE", i)) throw new XmlError("DOCTYPE is not accepted", i);
  if (xml.charCodeAt(i) !== 0x3c) throw new XmlError("expected the root element", i);

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < length) {
    if (root !== undefined) {
      // After the root: only white space, comments and processing instructions.
      skipSpace();
      if (i >= length) break;
      if (xml.startsWith("<!--", i)) skipTo("-->", "comment");
      else if (xml.startsWith("<?", i)) skipTo("?>", "processing instruction");
      else throw new XmlError("content after the root element", i);
      continue;
    }
    if (xml.charCodeAt(i) !== 0x3c) {
      const next = xml.indexOf("<", i);
      const end = next < 0 ? length : next;
      const current = stack[stack.length - 1];
      if (current === undefined) {
        if (xml.slice(i, end).trim() !== "") throw new XmlError("text outside the root element", i);
      } else {
        const raw = xml.slice(i, end);
        if (raw.includes("]]>")) throw new XmlError("']]>' in text", i);
        const decoded = raw.includes("&") ? decodeEntities(raw, i) : raw;
        current.text = current.text === "" ? decoded : current.text + decoded;
      }
      i = end;
      continue;
    }
    const second = xml.charCodeAt(i + 1);
    if (second === 0x2f) {
      // </name>
      i += 2;
      const name = readName();
      skipSpace();
      if (xml.charCodeAt(i) !== 0x3e) throw new XmlError("expected '>'", i);
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`end tag </${name}> does not match`, i);
      if (stack.length === 0) root = open;
    } else if (second === 0x21) {
      if (xml.startsWith("<!--", i)) {
        skipTo("-->", "comment");
      } else if (xml.startsWith("<![CDATA[", i)) {
        const end = xml.indexOf("]]>", i + 9);
        const current = stack[stack.length - 1];
        if (end < 0 || current === undefined) throw new XmlError("bad CDATA section", i);
        current.text += xml.slice(i + 9, end);
        i = end + 3;
      } else {
        throw new XmlError("unexpected markup declaration", i);
      }
    } else if (second === 0x3f) {
      skipTo("?>", "processing instruction");
    } else {
      i++;
      const element: XmlElement = { name: readName(), children: [], text: "" };
      // Attributes are checked for form and ignored (S3 only puts xmlns on the root).
      while (i < length && isSpace(xml.charCodeAt(i))) {
        ATTRIBUTE.lastIndex = i;
        const attribute = ATTRIBUTE.exec(xml);
        if (!attribute) break;
        i += attribute[0].length;
      }
      skipSpace();
      const selfClosing = xml.charCodeAt(i) === 0x2f && xml.charCodeAt(i + 1) === 0x3e;
      if (!selfClosing && xml.charCodeAt(i) !== 0x3e) throw new XmlError(`malformed start tag <${element.name}>`, i);
      i += selfClosing ? 2 : 1;
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(element);
      if (selfClosing) {
        if (parent === undefined) root = element;
      } else {
        stack.push(element);
      }
    }
  }
  if (stack.length > 0 || root === undefined) throw new XmlError("unexpected end of document", i);
  return root;
}

// ---------------------------------------------------------------------------------------------
// ListObjectsV2

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/**
 * Reads a ListObjectsV2 response body. Throws XmlError for anything that is not a well-formed
 * ListBucketResult with the fields we rely on. Keys are decoded when the response says it used
 * `EncodingType=url` (S3 then writes a space as "+" and "+" as "%2B").
 */
export function parseListObjectsV2WithTree(xml: string): ListPage {
  const root = parseXml(xml);
  if (root.name !== "ListBucketResult") throw new XmlError(`root element is <${root.name}>, not <ListBucketResult>`, 0);
  const urlEncoded = child(root, "EncodingType")?.text.trim() === "url";
  const decodeKey = (value: string): string => {
    if (!urlEncoded) return value;
    try {
      return decodeURIComponent(value.replace(/\+/g, "%20"));
    } catch {
      throw new XmlError("undecodable url-encoded key", 0);
    }
  };
  const truncated = child(root, "IsTruncated")?.text.trim();
  if (truncated !== "true" && truncated !== "false") throw new XmlError("IsTruncated is missing or not a boolean", 0);
  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  for (const element of root.children) {
    if (element.name === "Contents") {
      const key = child(element, "Key");
      const size = child(element, "Size")?.text.trim();
      if (key === undefined || key.text === "") throw new XmlError("Contents without a Key", 0);
      if (size === undefined || !/^\d+$/.test(size)) throw new XmlError("Contents without a numeric Size", 0);
      objects.push({ key: decodeKey(key.text), size: Number(size) });
    } else if (element.name === "CommonPrefixes") {
      const prefix = child(element, "Prefix");
      if (prefix === undefined) throw new XmlError("CommonPrefixes without a Prefix", 0);
      commonPrefixes.push(decodeKey(prefix.text));
    }
  }
  const token = child(root, "NextContinuationToken")?.text;
  if (truncated === "true" && (token === undefined || token === "")) {
    throw new XmlError("IsTruncated is true but NextContinuationToken is missing", 0);
  }
  return { objects, commonPrefixes, isTruncated: truncated === "true", nextContinuationToken: token || undefined };
}
