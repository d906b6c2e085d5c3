import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildLambdas, discoverFunctions } from "../../aws-lambdas/build.ts";

const outDir = mkdtempSync(join(tmpdir(), "media-edge-lambdas-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("aws-lambdas/build.ts", () => {
  it("discovers every aws-lambdas/<name>/handler.ts (and not shared/)", () => {
    const names = discoverFunctions();
    expect(names).toEqual(expect.arrayContaining(["job-state", "submit-job"]));
    expect(names).not.toContain("shared");
  });

  it("bundles each function into an entry module, plus the chunks its first event loads, whose handler loads and runs", async () => {
    const bundles = await buildLambdas({ outDir, names: ["submit-job", "job-state"] });
    expect(bundles.map((b) => b.name)).toEqual(["submit-job", "job-state"]);
    for (const bundle of bundles) {
      expect(bundle.gzipBytes).toBeGreaterThan(1000);
      expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
      expect(bundle.file).toMatch(/index\.mjs$/);
      expect(bundle.firstEventChunks.length).toBeGreaterThan(0);
      for (const chunk of bundle.firstEventChunks) expect(bundle.chunks).toContain(chunk);
    }
    vi.stubEnv("OUTPUT_BUCKET", "media-output");
    vi.stubEnv("MEDIACONVERT_ROLE", "arn:aws:iam::111122223333:role/MediaConvert");
    vi.stubEnv("MEDIACONVERT_JOB_TEMPLATE", "template");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    try {
      const submitJob = (await import(pathToFileURL(join(outDir, "submit-job", "index.mjs")).href)) as {
        handler: (event: unknown) => Promise<{ results: Array<{ outcome: string; reason?: string }> }>;
      };
      const result = await submitJob.handler({ Service: "Amazon S3", Event: "s3:TestEvent" });
      expect(result.results).toEqual([expect.objectContaining({ outcome: "rejected", reason: "test-event" })]);
      const jobState = (await import(pathToFileURL(join(outDir, "job-state", "index.mjs")).href)) as {
        handler: (event: unknown) => Promise<{ outcome: string }>;
      };
      expect(await jobState.handler({ detail: {} })).toMatchObject({ outcome: "rejected" });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
