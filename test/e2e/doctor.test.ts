/**
 * `npm run doctor` against a real `wrangler dev` Worker whose stack is broken: one table and one
 * bucket it is configured with do not exist in DynamoDB Local / the local S3 server. The doctor
 * must name both, with the setting to fix, exit 1, and print no secret. (The healthy report is
 * tested in test/worker/health.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../model/index.ts";
import { doctor } from "../../local/doctor.ts";
import { startWranglerDev, type WranglerDev } from "../../local/wrangler-dev.ts";
import { E2E_TOKEN_SECRET, workerVars } from "./support/vod-job.ts";

let broken: WranglerDev | undefined;

beforeAll(async () => {
  const endpoints = { dynamodbEndpoint: inject("dynamodbEndpoint"), s3Endpoint: inject("s3Endpoint") };
  broken = await startWranglerDev({
    vars: workerVars(endpoints, {
      ALLOWED_ORIGINS: "https://app.example.com",
      TABLE_JOB_ID_TO_OUTPUT: "MissingOutputTable",
      OUTPUT_BUCKET: "missing-output-bucket",
    }),
  });
}, 120_000);

afterAll(async () => {
  await broken?.stop();
});

async function run(url: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await doctor(url, (line) => lines.push(line));
  return { code, text: lines.join("\n") };
}

describe("npm run doctor -- <worker-url>", () => {
  it("names the missing table and bucket with the settings to fix, and exits 1", async () => {
    const { code, text } = await run(broken!.url);
    expect(code).toBe(1);
    expect(text).toContain("2 problems:");
    expect(text).toContain("- table MissingOutputTable: not-found (HTTP 400 ResourceNotFoundException)");
    expect(text).toMatch(/fix: table "MissingOutputTable" does not exist .* set TABLE_JOB_ID_TO_OUTPUT /);
    expect(text).toContain("- bucket missing-output-bucket: not-found (HeadBucket HTTP 404)");
    // The analysis bucket defaults to the output bucket: both settings name it.
    expect(text).toMatch(/set OUTPUT_BUCKET \/ ANALYSIS_BUCKET to the name/);
    // The tables and buckets that exist pass.
    expect(text).toContain(`ok   table ${DEFAULT_TABLES.jobIdToStatus} (TABLE_JOB_ID_TO_STATUS)`);
    expect(text).toContain(`ok   bucket ${DEFAULT_BUCKETS.recordings} (RECORDINGS_BUCKET)`);
    expect(text).not.toContain(E2E_TOKEN_SECRET);
  });

  it("says when nothing answers at the URL", async () => {
    const { code, text } = await run("http://127.0.0.1:9");
    expect(code).toBe(1);
    expect(text).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
