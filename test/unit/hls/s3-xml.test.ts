/**
 * The strict ListObjectsV2 reader (worker/aws/s3.ts): S3 documents that a 200 can carry invalid
 * XML, so every malformed body must throw rather than yield a partial listing.
 */
import { describe, expect, it } from "vitest";
import { parseListObjectsV2, XmlError } from "../../../worker/aws/s3.ts";

const page = (inner: string, truncated = "false") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>movie/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${truncated}</IsTruncated>${inner}</ListBucketResult>`;

describe("parseListObjectsV2", () => {
  it("reads keys, sizes, common prefixes and the continuation token", () => {
    const result = parseListObjectsV2(
      page(
        "<Contents><Key>movie/20240102T030000Z.ts</Key><LastModified>2024-01-02T03:00:31.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>" +
          "<CommonPrefixes><Prefix>movie/cam1/</Prefix></CommonPrefixes><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>",
        "true",
      ),
    );
    expect(result).toEqual({
      objects: [{ key: "movie/20240102T030000Z.ts", size: 1234 }],
      commonPrefixes: ["movie/cam1/"],
      isTruncated: true,
      nextContinuationToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
      keyCount: 2,
    });
  });

  it("decodes url-encoded keys only when the response says EncodingType=url (space is '+', '+' is %2B)", () => {
    const encoded = parseListObjectsV2(
      page("<EncodingType>url</EncodingType><Contents><Key>a+b%2Bc%25%E3%81%82</Key><Size>1</Size></Contents>"),
    );
    expect(encoded.objects[0]!.key).toBe("a b+c%あ");
    const raw = parseListObjectsV2(
      page("<Contents><Key>a+b%2B &amp; &lt;x&gt; &#x3042;</Key><Size>1</Size></Contents>"),
    );
    expect(raw.objects[0]!.key).toBe("a+b%2B & <x> あ");
  });

  it.each([
    ["empty body", ""],
    ["HTML error page", "<html><body>Service Unavailable</body></html>"],
    ["truncated document", page("<Contents><Key>a</Key><Size>1</Size></Contents>").slice(0, -30)],
    ["mismatched tags", page("<Contents><Key>a</Size><Size>1</Key></Contents>")],
    ["unknown entity", page("<Contents><Key>a&nbsp;</Key><Size>1</Size></Contents>")],
    ["bare ampersand", page("<Contents><Key>a & b</Key><Size>1</Size></Contents>")],
    ["NUL character reference", page("<Contents><Key>a&#0;</Key><Size>1</Size></Contents>")],
    ["missing IsTruncated", page("").replace("<IsTruncated>false</IsTruncated>", "")],
    ["truncated without token", page("", "true")],
    ["Contents without Key", page("<Contents><Size>1</Size></Contents>")],
    ["non-numeric Size", page("<Contents><Key>a</Key><Size>x</Size></Contents>")],
    ["two roots", page("") + "<ListBucketResult/>"],
    ["text after root", page("") + "junk"],
    ["DOCTYPE (entity expansion)", '<!DOCTYPE x [<!ENTITY a "b">]>' + page("")],
    ["wrong root", "<Error><Code>SlowDown</Code></Error>"],
  ])("throws on %s", (_, body) => {
    expect(() => parseListObjectsV2(body)).toThrow(XmlError);
  });
});
