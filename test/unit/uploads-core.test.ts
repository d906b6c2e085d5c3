/** The uploads API's pure core: key naming, request reading, the part plan, missing parts, upload scopes. */
import { describe, expect, it } from "vitest";
import { checkToken, mintToken, scopeGrants, uploadPrefixes, uploadScope } from "../../worker/auth/tokens.ts";
import { ApiError } from "../../worker/http/errors.ts";
import { isUploadKey, sanitizeFileName, uploadBase, uploadKey } from "../../worker/uploads/keys.ts";
import {
  missingParts,
  planUpload,
  readCompletedParts,
  readCreateRequest,
  readUploadRef,
  uploadHandle,
} from "../../worker/uploads/plan.ts";

const MiB = 1024 * 1024;

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ApiError ? error.status : -1;
  }
  return undefined;
}

describe("file names", () => {
  it.each([
    ["My clip (1).mp4", "My_clip_1.mp4"],
    ["C:\\Users\\me\\Videos\\trip.MOV", "trip.MOV"],
    ["../../etc/passwd", "passwd"],
    ["a+b%20c.mp4", "a_b_20c.mp4"],
    ["動画 ファイル.mov", "動画_ファイル.mov"],
    ["Cafe\u0301.mp4", "Café.mp4"],
    [".hidden.mp4", "hidden.mp4"],
    ["tab\tand\nnewline.mp4", "tab_and_newline.mp4"],
    ["...", ""],
    ["///", ""],
    ["🎬🎬.mp4", "file.mp4"],
    [".mp4", "file.mp4"],
  ])("%j -> %j", (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
    if (expected !== "") expect(sanitizeFileName(expected)).toBe(expected);
  });

  it("caps the name at 200 UTF-8 bytes and keeps the extension", () => {
    const name = sanitizeFileName(`${"あ".repeat(100)}.mp4`);
    expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(200);
    expect(name.endsWith("あ.mp4")).toBe(true);
  });

  it("puts each upload in its own time-and-random folder under the prefix", () => {
    const now = new Date("2026-12-05T22:30:00.123Z");
    expect(uploadKey("uploads/", "a b.mp4", now, "0123456789abcdef")).toBe(
      "uploads/20261205T223000Z-0123456789abcdef/a_b.mp4",
    );
    expect(uploadKey("", "a.mp4")).not.toBe(uploadKey("", "a.mp4"));
    expect(uploadKey("", "...")).toBeUndefined();
    // Never the Lambdas' output-folder pattern, so submit-job does not skip it.
    expect(/_\d{14}\//.test(uploadKey("", "x_20261205223000.mp4", now)!)).toBe(false);
  });

  it("recognises its own keys, at any depth below the prefix", () => {
    expect(isUploadKey("uploads/", "uploads/20261205T223000Z-0123456789abcdef/a.mp4")).toBe(true);
    expect(isUploadKey("uploads/", "uploads/alice/20261205T223000Z-0123456789abcdef/a.mp4")).toBe(true);
    expect(isUploadKey("uploads/", "other/20261205T223000Z-0123456789abcdef/a.mp4")).toBe(false);
    expect(isUploadKey("uploads/", "uploads/20261205T223000Z-0123456789abcdef/a b.mp4")).toBe(false);
    expect(isUploadKey("", "a.mp4")).toBe(false);
  });

  it("a token prefix gives the folder inside the upload prefix, or nothing outside it", () => {
    expect(uploadBase("uploads/", "")).toBe("uploads/");
    expect(uploadBase("uploads/", "uploads/alice")).toBe("uploads/alice/");
    expect(uploadBase("uploads/", "elsewhere/")).toBeUndefined();
  });
});

describe("requests and plans", () => {
  it("reads a create request; 400 / 415 for the wrong input", () => {
    expect(readCreateRequest({ file_name: "a.mp4", content_type: "Video/MP4", size: 1 })).toEqual({
      fileName: "a.mp4",
      contentType: "video/mp4",
      size: 1,
    });
    expect(statusOf(() => readCreateRequest({ file_name: "a", content_type: "image/png", size: 1 }))).toBe(415);
    expect(statusOf(() => readCreateRequest({ file_name: "a", content_type: "video", size: 1 }))).toBe(400);
    expect(statusOf(() => readCreateRequest({ file_name: 3, content_type: "video/mp4", size: 1 }))).toBe(400);
    expect(statusOf(() => readCreateRequest({ file_name: "a", content_type: "video/mp4", size: -1 }))).toBe(400);
  });

  it("plans a single PUT up to the threshold, then parts of >= 8 MiB and at most 10,000", () => {
    const settings = { maxBytes: 5 * 1024 ** 4, multipartThresholdBytes: 64 * MiB };
    expect(planUpload(64 * MiB, settings)).toEqual({ kind: "single" });
    expect(planUpload(64 * MiB + 1, settings)).toEqual({ kind: "multipart", partSize: 8 * MiB, partCount: 9 });
    const huge = planUpload(5 * 1024 ** 4, settings);
    expect(huge.kind === "multipart" && huge.partCount <= 10_000 && huge.partSize % MiB === 0).toBe(true);
  });

  it("reads the declared size back from the upload_id a create gave, and S3's bare id as it is", () => {
    const inputFile = "uploads/x.mp4";
    const handle = uploadHandle(9 * MiB, "2~abc.DEF_-=");
    expect(readUploadRef({ input_file: inputFile, upload_id: handle })).toEqual({
      inputFile,
      uploadId: "2~abc.DEF_-=",
      declaredBytes: 9 * MiB,
    });
    expect(readUploadRef({ input_file: inputFile, upload_id: "2~abc" })).toEqual({ inputFile, uploadId: "2~abc" });
    for (const bad of ["12:", "x:abc", "12:a:b", "a b", ""]) {
      expect(
        statusOf(() => readUploadRef({ input_file: inputFile, upload_id: bad })),
        bad,
      ).toBe(400);
    }
  });

  it("reads completed parts in ascending order only", () => {
    expect(readCompletedParts({ parts: [{ part_number: 1, etag: '"a"' }] })).toEqual([{ partNumber: 1, etag: '"a"' }]);
    expect(statusOf(() => readCompletedParts({ parts: [] }))).toBe(400);
    expect(statusOf(() => readCompletedParts({ parts: [{ part_number: 1, etag: "a\n" }] }))).toBe(400);
  });

  it("missing parts: gaps, parts S3 lacks, and ETags S3 no longer has", () => {
    const uploaded = [
      { partNumber: 1, etag: '"e1"' },
      { partNumber: 2, etag: '"e2"' },
    ];
    expect(
      missingParts(
        [
          { partNumber: 1, etag: "e1" },
          { partNumber: 2, etag: '"e2"' },
        ],
        uploaded,
      ),
    ).toEqual([]);
    expect(
      missingParts(
        [
          { partNumber: 1, etag: '"e1"' },
          { partNumber: 3, etag: '"e3"' },
        ],
        uploaded,
      ),
    ).toEqual([2, 3]);
    expect(missingParts([{ partNumber: 1, etag: '"old"' }], uploaded)).toEqual([1]);
  });
});

describe("upload scopes in tokens", () => {
  it("space-separated scopes each grant as alone; wildcards cover only their kind", () => {
    const demo = "job:* rec:* faces:*";
    expect(scopeGrants(demo, "job:J1")).toBe(true);
    expect(scopeGrants(demo, "rec:cam1")).toBe(true);
    expect(scopeGrants(demo, "faces:input_file:a.mp4")).toBe(true);
    expect(scopeGrants(demo, uploadScope("a.mp4"))).toBe(false);
    expect(scopeGrants("job:J1 job:J2", "job:J2")).toBe(true);
    expect(scopeGrants("job:J1", "job:J12")).toBe(false);
    expect(scopeGrants("upload:uploads/alice/", uploadScope("uploads/alice/x/a.mp4"))).toBe(true);
    expect(scopeGrants("upload:uploads/alice/", uploadScope("uploads/bob/x/a.mp4"))).toBe(false);
    expect(scopeGrants("upload:*", "job:J1")).toBe(false);
    expect(uploadPrefixes("upload:a b/")).toEqual(["a b/"]);
    expect(uploadPrefixes("upload:*")).toEqual([""]);
    expect(uploadPrefixes("job:*")).toEqual([]);
    // Keys may hold spaces: a scope naming one is never split, so a file name cannot add a wildcard.
    expect(scopeGrants("faces:input_file:a job:*", "job:J1")).toBe(false);
    expect(scopeGrants("faces:input_file:a job:*", "faces:input_file:a job:*")).toBe(true);
    expect(scopeGrants("upload:a job:*", "job:J1")).toBe(false);
  });

  it("carries an optional max and refuses a malformed one", async () => {
    const secret = "current-secret-0123456789abcdef0123";
    const token = await mintToken(secret, { scope: "upload:*", purpose: "upload", ttlSeconds: 60, maxBytes: 1000 });
    const check = await checkToken(token, {
      secrets: { current: secret },
      scope: uploadScope("k"),
      purposes: ["upload"],
    });
    expect(check).toMatchObject({ ok: true, claims: { max: 1000, pur: "upload" } });
    await expect(
      mintToken(secret, { scope: "upload:*", purpose: "upload", ttlSeconds: 60, maxBytes: 0 }),
    ).rejects.toThrow();
  });
});
