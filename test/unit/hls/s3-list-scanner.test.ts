/**
 * The ListObjectsV2 reader (worker/aws/s3-listing.ts) against golden S3 responses, malformed
 * bodies, and - as a property - a maintained XML library as the oracle (fast-xml-parser: its
 * validator for well-formedness, its parser for the values). The reader is strict about S3's
 * shape rather than about XML in general (it refuses text directly inside ListBucketResult, a read
 * field holding an element, processing instructions other than the XML declaration, elements
 * nested deeper than S3 nests them, and forms the oracle lets through such as "]]>" in text or an
 * unknown entity), so the property is: whatever the
 * reader accepts, the oracle finds well-formed and reads as the same keys, sizes, prefixes,
 * truncation flag and token; every S3 listing the generator writes is accepted; what it refuses,
 * it refuses with XmlError.
 */
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { parseListObjectsV2, XmlError, type ListPage } from "../../../worker/aws/s3-listing.ts";

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** A ListObjectsV2 response as AWS S3 writes it (docs example, with Owner, checksums and restore status). */
const AWS_PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult ${XMLNS}><Name>media-recordings</Name><Prefix>movie/</Prefix><KeyCount>4</KeyCount><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><Contents><Key>movie/20240102T030000Z.ts</Key><LastModified>2024-01-02T03:00:31.000Z</LastModified><ETag>&quot;3c2b4f0a6a3c1c1f1d3b2e0e9d4f1a2b&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>1880000</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>recorder</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>movie/20240102T030030Z.ts</Key><LastModified>2024-01-02T03:01:01.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1879000</Size><StorageClass>GLACIER</StorageClass><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2024-02-01T00:00:00.000Z</RestoreExpiryDate></RestoreStatus></Contents><Contents><Key>movie/notes &amp; &lt;draft&gt; &apos;v2&apos; &quot;ok&quot; caf&#xE9; &#26085;&#26412; \u{1F3A5}.txt</Key><LastModified>2024-01-02T03:02:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>movie/cam1/</Prefix></CommonPrefixes><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><StartAfter>movie/20240102T025930Z.ts</StartAfter></ListBucketResult>`;

/** The same listing with encoding-type=url, as S3 writes it then. */
const AWS_PAGE_URL_ENCODED = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult ${XMLNS}><Name>media-recordings</Name><Prefix>movie%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>movie/a+b%2Bc%25%E3%81%82%26%3C.ts</Key><LastModified>2024-01-02T03:00:31.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>movie/cam+1/</Prefix></CommonPrefixes></ListBucketResult>`;

/** s3rver's layout (the local S3 server the Worker tests use): pretty-printed, KeyCount without prefixes. */
const S3RVER_PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult ${XMLNS}>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>movie/20240102T030000Z.ts</Key>
    <LastModified>2024-01-02T03:00:31.000Z</LastModified>
    <ETag>"3c2b4f0a6a3c1c1f1d3b2e0e9d4f1a2b"</ETag>
    <Size>  1880000  </Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Name>media-recordings</Name>
  <Prefix>movie/</Prefix>
  <MaxKeys>1000</MaxKeys>
  <Delimiter>/</Delimiter>
  <CommonPrefixes>
    <Prefix>movie/cam1/</Prefix>
  </CommonPrefixes>
  <KeyCount>1</KeyCount>
</ListBucketResult>
`;

describe("parseListObjectsV2: golden S3 responses", () => {
  it("AWS: keys and sizes in order, nested Owner/RestoreStatus ignored, entity-encoded keys decoded", () => {
    expect(parseListObjectsV2(AWS_PAGE)).toEqual({
      objects: [
        { key: "movie/20240102T030000Z.ts", size: 1_880_000 },
        { key: "movie/20240102T030030Z.ts", size: 1_879_000 },
        { key: "movie/notes & <draft> 'v2' \"ok\" café 日本 \u{1F3A5}.txt", size: 0 },
      ],
      commonPrefixes: ["movie/cam1/"],
      isTruncated: true,
      nextContinuationToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
      keyCount: 4,
    });
  });

  it("AWS with EncodingType=url: keys and prefixes percent-decoded ('+' is a space, %2B a '+')", () => {
    expect(parseListObjectsV2(AWS_PAGE_URL_ENCODED)).toEqual({
      objects: [{ key: "movie/a b+c%あ&<.ts", size: 7 }],
      commonPrefixes: ["movie/cam 1/"],
      isTruncated: false,
      nextContinuationToken: undefined,
      keyCount: 2,
    });
  });

  it("s3rver: white space between elements and around numbers", () => {
    expect(parseListObjectsV2(S3RVER_PAGE)).toEqual({
      objects: [{ key: "movie/20240102T030000Z.ts", size: 1_880_000 }],
      commonPrefixes: ["movie/cam1/"],
      isTruncated: false,
      nextContinuationToken: undefined,
      keyCount: 1,
    });
  });

  it("an empty page, self-closing elements, CDATA and comments inside fields", () => {
    const page = (inner: string) =>
      `<ListBucketResult ${XMLNS}><Name>b</Name><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>${inner}</ListBucketResult>`;
    expect(parseListObjectsV2(page(""))).toEqual({
      objects: [],
      commonPrefixes: [],
      isTruncated: false,
      nextContinuationToken: undefined,
      keyCount: 0,
    });
    expect(
      parseListObjectsV2(
        page(
          "<Contents><Key>a<!-- c --><![CDATA[<&]]>b</Key><Size>1</Size></Contents><CommonPrefixes><Prefix/></CommonPrefixes>",
        ),
      ),
    ).toMatchObject({ objects: [{ key: "a<&b", size: 1 }], commonPrefixes: [""] });
  });

  it("Contents in other layouts: unknown text-only elements, another order, nested elements", () => {
    const page = (contents: string) =>
      `<ListBucketResult><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
    for (const contents of [
      "<Contents><Key>k</Key><Size>5</Size><StorageClass>X</StorageClass><ObjectLockMode>GOVERNANCE</ObjectLockMode></Contents>",
      "<Contents><Key>k</Key><ETag>&quot;e&quot;</ETag><Size>5</Size><LastModified>t</LastModified></Contents>",
      "<Contents><Key>k</Key><Key>second</Key><Size>5</Size><Size>6</Size></Contents>",
      "<Contents><Key>k</Key><Owner><ID>i</ID></Owner><Size>5</Size></Contents>",
      "<Contents><Size>5</Size><Key>k</Key></Contents>",
      "<Contents>\n  <Key>k</Key>\n  <Size>5</Size>\n</Contents>",
    ]) {
      expect(parseListObjectsV2(page(contents)).objects, contents).toEqual([{ key: "k", size: 5 }]);
    }
  });

  it("reads what the oracle reads on every golden page", () => {
    for (const body of [AWS_PAGE, AWS_PAGE_URL_ENCODED, S3RVER_PAGE]) {
      expect(withoutKeyCount(parseListObjectsV2(body))).toEqual(parseWithOracle(body));
    }
  });
});

describe("parseListObjectsV2: malformed 200 bodies throw XmlError", () => {
  const page = (inner: string, truncated = "false") =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult ${XMLNS}><Name>b</Name><Prefix>movie/</Prefix><KeyCount>1</KeyCount><IsTruncated>${truncated}</IsTruncated>${inner}</ListBucketResult>`;
  const contents = (key: string, size = "1") =>
    `<Contents><Key>${key}</Key><LastModified>2024-01-02T03:00:31.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>${size}</Size></Contents>`;

  it.each([
    ["a Key with a raw '<'", page(contents("movie/a<b.ts"))],
    ["a Key with a raw '<' and a matching-looking tail", page(contents("movie/a<b>.ts</b"))],
    ["a Key holding an element (fields are text only)", page(contents("movie/<b>x</b>.ts"))],
    ["a missing end tag", page("<Contents><Key>a</Key><Size>1</Size>")],
    ["an end tag that does not match", page("<Contents><Key>a</Kay><Size>1</Size></Contents>")],
    ["an end tag with extra name characters", page("<Contents><Key>a</Keys><Size>1</Size></Contents>")],
    ["a stray end tag", page(contents("a") + "</Contents>")],
    ["an unknown entity", page(contents("a&nbsp;b"))],
    ["an unknown entity in an ETag", page(contents("a").replace("&quot;abc", "&qout;abc"))],
    ["a bare '&'", page(contents("a & b"))],
    ["an unterminated reference", page(contents("a&amp"))],
    ["a NUL character reference", page(contents("a&#0;"))],
    ["a surrogate character reference", page(contents("a&#xD800;"))],
    ["a reference above U+10FFFF", page(contents("a&#x110000;"))],
    ["']]>' in text", page(contents("a]]>b"))],
    ["a bare '&' in an attribute", page("").replace(XMLNS, 'xmlns="a&b"')],
    ["'<' in an attribute", page("").replace(XMLNS, 'xmlns="a<b"')],
    ["a DOCTYPE (entity expansion)", '<!DOCTYPE x [<!ENTITY a "b">]>' + page("")],
    ["a DOCTYPE inside the root", page("<!DOCTYPE x>")],
    ["a CDATA section outside the root", "<![CDATA[x]]>" + page("")],
    ["an unterminated comment", page(contents("a")).replace("<Name>", "<!-- <Name>")],
    ["text before the root", "x" + page("")],
    ["text after the root", page("") + "junk"],
    ["a second root", page("") + "<ListBucketResult/>"],
    ["the wrong root", "<Error><Code>SlowDown</Code></Error>"],
    ["an HTML error page", "<html><body>Service Unavailable</body></html>"],
    ["an empty body", ""],
    ["white space only", "  \n"],
    ["a missing IsTruncated", page("").replace("<IsTruncated>false</IsTruncated>", "")],
    ["IsTruncated that is not a boolean", page("", "yes")],
    ["truncated without a token", page("", "true")],
    ["Contents without a Key", page("<Contents><Size>1</Size></Contents>")],
    ["Contents with an empty Key", page(contents(""))],
    ["Contents without a Size", page("<Contents><Key>a</Key></Contents>")],
    ["a non-numeric Size", page(contents("a", "1e3"))],
    ["a negative Size", page(contents("a", "-1"))],
    ["CommonPrefixes without a Prefix", page("<CommonPrefixes></CommonPrefixes>")],
    ["a non-numeric KeyCount", page("").replace("<KeyCount>1</KeyCount>", "<KeyCount>many</KeyCount>")],
    ["an undecodable url-encoded key", page("<EncodingType>url</EncodingType>" + contents("a%E3%81"))],
    ["a start tag without '>'", page("<Contents <Key>a</Key><Size>1</Size></Contents>")],
    ["a name starting with a digit", page("<1Contents/>")],
  ])("%s", (_, body) => {
    expect(() => parseListObjectsV2(body)).toThrow(XmlError);
  });

  it("every cut-off of a valid page throws (a truncated body is never a shorter listing)", () => {
    for (const body of [AWS_PAGE, AWS_PAGE_URL_ENCODED, S3RVER_PAGE.trimEnd()]) {
      for (let cut = 0; cut < body.length; cut++) {
        expect(() => parseListObjectsV2(body.slice(0, cut)), `cut at ${cut}`).toThrow(XmlError);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the reader against fast-xml-parser

function withoutKeyCount(page: ListPage): ListPage {
  const { keyCount: _, ...rest } = page;
  return rest;
}

/**
 * Every element as an array (so "the first child named" is `[0]`), values as strings, nothing
 * trimmed, attributes, comments and processing instructions dropped, CDATA merged into the text,
 * and numeric character references decoded (`htmlEntities`; it also knows HTML's named entities,
 * which only makes the oracle more lenient than the reader, never different on what both accept).
 */
const oracle = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: () => true,
});

type OracleNode = string | { [name: string]: OracleNode[] | string };

/** The first child named `name` of an oracle node. */
const oracleChild = (node: OracleNode | undefined, name: string): OracleNode | undefined =>
  typeof node === "object" ? (node[name] as OracleNode[] | undefined)?.[0] : undefined;

/** An oracle node's text (an element with children yields its own text only). */
const oracleText = (node: OracleNode): string => (typeof node === "string" ? node : String(node["#text"] ?? ""));

/** The listing the oracle reads: the reader's fields, the same end checks, no KeyCount. */
function parseWithOracle(xml: string): ListPage {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) throw new Error(`oracle: not well-formed: ${validation.err.msg}`);
  const roots = (oracle.parse(xml) as Record<string, OracleNode[]>)["ListBucketResult"];
  if (roots?.length !== 1) throw new Error("oracle: not one ListBucketResult");
  const root = roots[0]!;
  const text = (name: string) => {
    const child = oracleChild(root, name);
    return child === undefined ? undefined : oracleText(child);
  };
  const decode = (value: string) =>
    text("EncodingType")?.trim() === "url" ? decodeURIComponent(value.replace(/\+/g, "%20")) : value;
  const all = (name: string) => (typeof root === "object" ? ((root[name] as OracleNode[] | undefined) ?? []) : []);
  const objects = all("Contents").map((contents) => {
    const size = oracleText(oracleChild(contents, "Size") ?? "").trim();
    if (!/^\d+$/.test(size)) throw new Error("oracle: Contents without a numeric Size");
    return { key: decode(oracleText(oracleChild(contents, "Key") ?? "")), size: Number(size) };
  });
  const commonPrefixes = all("CommonPrefixes").map((prefixes) => decode(oracleText(oracleChild(prefixes, "Prefix")!)));
  const token = text("NextContinuationToken");
  return {
    objects,
    commonPrefixes,
    isTruncated: text("IsTruncated")?.trim() === "true",
    nextContinuationToken: token || undefined,
  };
}

/** Text written the ways XML allows: raw, named and numeric references, CDATA. */
const xmlText = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(fc.nat(), { minLength: [...text].length, maxLength: [...text].length }).map((choices) =>
      [...text]
        .map((char, index) => {
          const choice = choices[index]! % 4;
          const named = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;" }[char];
          if (choice === 1 && named !== undefined) return named;
          if (choice === 2) return `&#${char.codePointAt(0)};`;
          if (choice === 3) return `&#x${char.codePointAt(0)!.toString(16)};`;
          return char === "&" ? "&amp;" : char === "<" ? "&lt;" : char;
        })
        .join("")
        // "]]>" may not appear raw in text (XML 1.0 §2.4).
        .replace(/]]>/g, "]]&gt;"),
    ),
    text.includes("]]>")
      ? fc.constant(text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"))
      : fc.constant(`<![CDATA[${text}]]>`),
  );

const element = (name: string, text: string): fc.Arbitrary<string> =>
  text === ""
    ? fc.constantFrom(`<${name}/>`, `<${name}></${name}>`, `<${name} />`)
    : xmlText(text).map((encoded) => `<${name}>${encoded}</${name}>`);

const keyText = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      "a",
      "Z",
      "0",
      "/",
      ".",
      "-",
      " ",
      "&",
      "<",
      ">",
      "'",
      '"',
      "é",
      "日",
      "\u{1F3A5}",
      ";",
      "#",
      "]",
    ),
    minLength: 1,
    maxLength: 12,
  }),
  fc
    .string({ unit: "grapheme", minLength: 1, maxLength: 8 })
    // XML 1.0 Char (§2.2) has no C0 controls but tab, CR and LF, and no U+FFFE/U+FFFF.
    // eslint-disable-next-line no-control-regex -- excluding control characters is the point
    .filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s)),
);

const space = fc.constantFrom("", "", "", "\n", "  ", "\n  ");
// Comments only: S3 writes no processing instruction but the XML declaration, and the reader refuses them.
const comment = fc.constantFrom("", "", "", "<!-- c -->");

/** How S3 writes a key with encoding-type=url. */
const urlEncode = (key: string) => encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");

const contentsXml = (urlEncoded: boolean) =>
  fc
    .record({
      key: urlEncoded ? keyText.map(urlEncode) : keyText,
      size: fc.nat({ max: 10_000_000 }),
      sizeSpace: fc.constantFrom("", "", " ", "\n"),
      owner: fc.boolean(),
      checksum: fc.boolean(),
      future: fc.boolean(),
      between: space,
      extra: comment,
    })
    .chain(({ key, size, sizeSpace, owner, checksum, future, between, extra }) =>
      fc.tuple(element("Key", key), element("StorageClass", "STANDARD")).map(([keyElement, storage]) =>
        [
          "<Contents>",
          keyElement,
          "<LastModified>2024-01-02T03:00:31.000Z</LastModified>",
          "<ETag>&quot;abc&quot;</ETag>",
          checksum ? "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm>" : "",
          `<Size>${sizeSpace}${size}${sizeSpace}</Size>`,
          extra,
          owner ? "<Owner><ID>id</ID><DisplayName>me</DisplayName></Owner>" : "",
          storage,
          // An element S3 may add one day: text only, so still the one-step path.
          future ? "<ObjectLockMode>GOVERNANCE</ObjectLockMode>" : "",
          "</Contents>",
        ].join(between),
      ),
    );

const pageXml = fc.boolean().chain((urlEncoded) =>
  fc
    .record({
      declaration: fc.boolean(),
      attributes: fc.constantFrom("", ` ${XMLNS}`, ` ${XMLNS} x='1'`),
      truncated: fc.boolean(),
      token: fc.constantFrom("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", "t&amp;k", "42"),
      urlEncoded: fc.constant(urlEncoded),
      contents: fc.array(contentsXml(urlEncoded), { maxLength: 5 }),
      prefixes: fc.array(
        (urlEncoded ? keyText.map(urlEncode) : keyText).chain((prefix) => element("Prefix", prefix)),
        { maxLength: 3 },
      ),
      between: space,
      order: fc.nat(),
    })
    .map(({ declaration, attributes, truncated, token, urlEncoded, contents, prefixes, between, order }) => {
      const header = [
        "<Name>b</Name>",
        "<Prefix>movie/</Prefix>",
        `<KeyCount>${contents.length + prefixes.length}</KeyCount>`,
        "<MaxKeys>1000</MaxKeys>",
        urlEncoded ? "<EncodingType>url</EncodingType>" : "",
        `<IsTruncated>${truncated}</IsTruncated>`,
      ];
      const children = [
        ...header,
        ...contents,
        ...prefixes.map((prefix) => `<CommonPrefixes>${prefix}</CommonPrefixes>`),
        truncated ? `<NextContinuationToken>${token}</NextContinuationToken>` : "",
      ];
      // S3 writes the header first; other orders are still a ListBucketResult.
      const rotated = order % 3 === 0 ? [...children.slice(6), ...children.slice(0, 6)] : children;
      return (
        (declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : "") +
        `<ListBucketResult${attributes}>${between}${rotated.join(between)}${between}</ListBucketResult>`
      );
    }),
);

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(
      "<",
      ">",
      "&",
      ";",
      "/",
      "'",
      '"',
      " ",
      "]]>",
      "&amp;",
      "&foo;",
      "&#0;",
      "&#x41;",
      "</Key>",
      "<Key>",
      "<Size>1</Size>",
      "<x/>",
      "<!DOCTYPE x>",
      "<!-- c -->",
      "<![CDATA[<&]]>",
      "<?pi?>",
      "\u{1F3A5}",
    ),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  // Harmless where markup may go: the two readers must still agree on the listing.
  fc.record({
    kind: fc.constant("beforeTag" as const),
    at: fc.nat(),
    text: fc.constantFrom(" ", "\n", "<!-- c -->", "<?pi x?>", "<![CDATA[]]>", "<Extra/>", "<Extra a='1'>x</Extra>"),
  }),
);

function mutate(xml: string, mutations: readonly MutationValue[]): string {
  let out = xml;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.kind === "insert") out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === "delete") out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.kind === "duplicate")
      out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at + m.length);
    else if (m.kind === "beforeTag") {
      const tags = [...out.matchAll(/</g)];
      const tag = tags.length === 0 ? at : tags[m.at % tags.length]!.index;
      out = out.slice(0, tag) + m.text + out.slice(tag);
    } else out = out.slice(0, at);
  }
  return out;
}

type MutationValue =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "truncate"; at: number }
  | { kind: "beforeTag"; at: number; text: string };

/** What the reader accepts, the oracle finds well-formed and reads the same; what it refuses, it refuses with XmlError. */
function expectAgreesWithOracle(xml: string): boolean {
  let page: ListPage;
  try {
    page = parseListObjectsV2(xml);
  } catch (error) {
    expect(error, xml).toBeInstanceOf(XmlError);
    return false;
  }
  expect(withoutKeyCount(page), xml).toEqual(parseWithOracle(xml));
  return true;
}

describe("parseListObjectsV2 against fast-xml-parser (property)", () => {
  it("generated S3 pages: accepted, and read as the oracle reads them", () => {
    fc.assert(
      fc.property(pageXml, (xml) => {
        expect(expectAgreesWithOracle(xml), xml).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it("mutated pages (inserted markup, deletions, duplicated slices, cut-offs): refused, or read as the oracle reads them", () => {
    let accepted = 0;
    fc.assert(
      fc.property(pageXml, fc.array(mutation, { minLength: 1, maxLength: 3 }), (xml, mutations) => {
        if (expectAgreesWithOracle(mutate(xml, mutations))) accepted++;
      }),
      { numRuns: 4000 },
    );
    // Harmless mutations (white space, comments, elements S3 may add, cuts after the root) are
    // about a tenth of the runs: a reader that refused everything would pass the lines above.
    expect(accepted).toBeGreaterThan(200);
  });
  it("keys of any characters XML can carry round-trip through every encoding", () => {
    fc.assert(
      fc.property(
        keyText.chain((key) => fc.tuple(fc.constant(key), element("Key", key))),
        ([key, encoded]) => {
          const xml = `<ListBucketResult><IsTruncated>false</IsTruncated><Contents>${encoded}<Size>1</Size></Contents></ListBucketResult>`;
          expect(parseListObjectsV2(xml).objects).toEqual([{ key, size: 1 }]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
