/**
 * Malformed DynamoDB answers through the real Worker (issue 9 point 4): rows stored in DynamoDB Local
 * with wrong types, missing keys, traversal or absolute paths and oversize values, and GetItem answers
 * from the chaos upstream whose Item is not an item. Each is the documented 502 "Upstream error."
 * (worker/aws/rows.ts), and no stored value is echoed to the client.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_TABLES, epochSeconds } from "../../model/index.ts";
import { jobScope } from "../../worker/auth/tokens.ts";
import { testToken } from "./hls-support.ts";
import { putItem } from "./support/dynamodb.ts";
import { bindings, callWith } from "./support/request.ts";

const unique = () => crypto.randomUUID().slice(0, 8);
const SECRET = "ROW-VALUE-MUST-NOT-ECHO";
/** The edge cache off, so every request reads the row. */
const NO_CACHE = { CACHE_TTL_SECONDS: "0" };

async function expectUpstreamError(path: string, overrides: Record<string, string> = NO_CACHE): Promise<void> {
  const response = await callWith(overrides, path);
  const text = await response.text();
  expect(response.status).toBe(502);
  expect(JSON.parse(text)).toMatchObject({ success: false, message: "Upstream error." });
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain("UPSTREAM-SECRET-BODY");
}

async function putStatus(fields: Record<string, unknown>): Promise<string> {
  const jobId = `row-${unique()}`;
  await putItem(DEFAULT_TABLES.jobIdToStatus, {
    JobId: jobId,
    JobStatus: "COMPLETE",
    ProgressRate: 100,
    CreationTime: epochSeconds(),
    ...fields,
  });
  return jobId;
}

async function putOutput(fields: Record<string, unknown>): Promise<string> {
  const jobId = `row-${unique()}`;
  await putItem(DEFAULT_TABLES.jobIdToOutput, {
    JobId: jobId,
    InputFile: "uploads/a.mp4",
    OutputBucket: "media-output",
    OutputPath: `uploads/a.mp4_${unique()}/`,
    KeyFile: "a.key",
    KeyValue: "00112233445566778899aabbccddeeff",
    CreationTime: epochSeconds(),
    ...fields,
  });
  await putItem(DEFAULT_TABLES.jobIdToStatus, {
    JobId: jobId,
    JobStatus: "COMPLETE",
    ProgressRate: 100,
    CreationTime: epochSeconds(),
  });
  return jobId;
}

describe("a GetItem answer whose Item is not an item", () => {
  for (const behaviour of ["item-string", "item-list", "item-unknown-type"]) {
    it(`${behaviour}: 502, nothing forwarded`, async () => {
      await expectUpstreamError("/api/media/status?job_id=upstream-probe", {
        ...NO_CACHE,
        DYNAMODB_ENDPOINT: `${bindings.TEST_CHAOS_ENDPOINT}/${behaviour}/${unique()}`,
      });
    });
  }
});

describe("status rows of the wrong shape", () => {
  it("JobStatus a map is not echoed as an object", async () => {
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ JobStatus: { Leak: SECRET } })}`);
  });

  it("JobStatus missing, or not a status the model knows", async () => {
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ JobStatus: null })}`);
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ JobStatus: SECRET })}`);
  });

  it("a number attribute holding text, a map holding numbers as text", async () => {
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ ProgressRate: SECRET })}`);
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ Playlists: { ".m3u8": 7 } })}`);
  });

  it("an OutputPath that is absolute or climbs out of its folder", async () => {
    for (const OutputPath of ["../", `/${SECRET}/`, `a/../../${SECRET}/`, `s3://${SECRET}/x/`]) {
      await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ OutputPath })}`);
    }
  });

  it("oversize values", async () => {
    const ErrorMessage = SECRET.repeat(400);
    await expectUpstreamError(`/api/media/status?job_id=${await putStatus({ JobStatus: "ERROR", ErrorMessage })}`);
  });

  it("an InputFile row whose JobId is not a string", async () => {
    const inputFile = `uploads/${unique()}.mp4`;
    await putItem(DEFAULT_TABLES.inputFileToJobId, { InputFile: inputFile, JobId: 42, CreationTime: epochSeconds() });
    await expectUpstreamError(`/api/media/job_id?input_file=${encodeURIComponent(inputFile)}`);
  });
});

describe("output rows of the wrong shape (VOD playlists, segments, keys)", () => {
  const routes = async (jobId: string) => [
    `/api/media/vod/${jobId}/index.m3u8`,
    `/api/media/segments/vod/${jobId}/index_00001.ts`,
    `/api/media/keys/${jobId}?token=${await testToken(jobScope(jobId), "key")}`,
  ];

  it("an OutputPath with a traversal, absolute, or missing", async () => {
    for (const OutputPath of ["../", `../${SECRET}/`, `/${SECRET}/`, null]) {
      for (const path of await routes(await putOutput({ OutputPath }))) await expectUpstreamError(path);
    }
  });

  it("an OutputPath over an S3 key's length, an OutputBucket that is not a bucket name", async () => {
    for (const fields of [{ OutputPath: `${SECRET.repeat(60)}/` }, { OutputBucket: SECRET }]) {
      for (const path of await routes(await putOutput(fields))) await expectUpstreamError(path);
    }
  });
});

describe("face analysis rows of the wrong shape", () => {
  async function putFaceRow(fields: Record<string, unknown>): Promise<string> {
    const inputFile = `uploads/${unique()}.mp4`;
    const now = epochSeconds();
    await putItem(DEFAULT_TABLES.faceAnalysis, {
      InputFile: inputFile,
      InputBucket: "media-input",
      AnalysisStatus: "IN_PROGRESS",
      CreationTime: now,
      UpdateTime: now,
      ...fields,
    });
    return `/api/media/faces?input_file=${encodeURIComponent(inputFile)}`;
  }

  it("AnalysisStatus a list, unknown or missing; a traversal ResultKey", async () => {
    await expectUpstreamError(await putFaceRow({ AnalysisStatus: [SECRET] }));
    await expectUpstreamError(await putFaceRow({ AnalysisStatus: SECRET }));
    await expectUpstreamError(await putFaceRow({ AnalysisStatus: null }));
    await expectUpstreamError(await putFaceRow({ AnalysisStatus: "SUCCEEDED", ResultKey: `../${SECRET}` }));
  });

  it("found by job id (Query): the same checks", async () => {
    const jobId = `job${unique()}`;
    await putFaceRow({ JobId: jobId, FaceCount: SECRET });
    await expectUpstreamError(`/api/media/faces?job_id=${jobId}`);
  });
});
