import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildLambdas,
  buildOptions,
  discoverFunctions,
  REQUIRE_BANNER,
  refersToRequire,
  withRequireWhereUsed,
} from "../../aws-lambdas/build.ts";
import { getInstanceMetadataRegion } from "../../aws-lambdas/shared/no-imds-region.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
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

describe("the createRequire banner, only in files that refer to require", () => {
  it("refersToRequire: a call or typeof of the free variable, not a string, property or local binding", async () => {
    expect(await refersToRequire('const os = require("node:os"); export { os };')).toBe(true);
    expect(await refersToRequire('export const cjs = typeof require === "function";')).toBe(true);
    expect(
      await refersToRequire('export const hint = "call require(\\"x\\")"; export const f = (m) => m.require;'),
    ).toBe(false);
    expect(await refersToRequire("export function f(require) { return require('x'); }")).toBe(false);
  });

  it("withRequireWhereUsed: the banner goes in front of a file that refers to require, and only such a file", async () => {
    const dir = mkdtempSync(join(outDir, "require-"));
    const cjs = join(dir, "cjs.mjs");
    const esm = join(dir, "esm.mjs");
    writeFileSync(cjs, 'const os = require("node:os"); export { os };');
    writeFileSync(esm, 'export const hint = "require";');
    await withRequireWhereUsed([cjs, esm]);
    expect(readFileSync(cjs, "utf8")).toBe(`${REQUIRE_BANNER}const os = require("node:os"); export { os };`);
    expect(readFileSync(esm, "utf8")).toBe('export const hint = "require";');
  });

  it("each file of the built functions has the banner exactly when it refers to require", async () => {
    const bundles = await buildLambdas({ outDir: join(outDir, "banner"), names: ["recording-index", "job-state"] });
    for (const bundle of bundles) {
      for (const file of [bundle.file, ...bundle.chunks]) {
        const code = readFileSync(resolve(ROOT, file), "utf8");
        const banner = code.startsWith(REQUIRE_BANNER);
        expect(await refersToRequire(banner ? code.slice(REQUIRE_BANNER.length) : code), file).toBe(banner);
      }
    }
  });
});

/** What a function bundles: the modules (`<package>/<path>`) that put code in its files, the files, and their code. */
interface Bundled {
  modules: string[];
  files: string[];
  code: string;
}

async function bundledModules(name: string): Promise<Bundled> {
  const result = await build(buildOptions(name, join(outDir, `${name}-modules`)));
  const outputs = Object.entries(result.metafile.outputs);
  const modules = outputs.flatMap(([, output]) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path.replace(/^.*node_modules\//, "")),
  );
  const files = outputs.map(([file]) => file);
  return { modules, files, code: files.map((file) => readFileSync(resolve(file), "utf8")).join("\n") };
}

describe("aws-lambdas/build-plugins.ts, in the built functions", () => {
  // recording-index: no SDK client (S3 through aws-lambdas/shared/s3-objects.ts); job-state:
  // DynamoDB and SQS; submit-job: DynamoDB and MediaConvert.
  const built = new Map<string, Bundled>();
  beforeAll(async () => {
    for (const name of ["recording-index", "job-state", "submit-job"]) built.set(name, await bundledModules(name));
  }, 90_000);

  it("no function bundles the S3 client, and only the one that lists bundles the listing parser (issue 12)", () => {
    for (const [name, { modules }] of built) {
      expect(
        modules.filter((module) => module.startsWith("@aws-sdk/client-s3/")),
        name,
      ).toEqual([]);
    }
    const listing = [...built].filter(([, { modules }]) => modules.includes("worker/aws/s3-listing.ts"));
    expect(listing.map(([name]) => name)).toEqual(["recording-index"]);
  });

  it("noEventStreams: no event-stream codec or serde, and no chunk for the protocols' import() of it", () => {
    for (const [name, { modules, files }] of built) {
      const eventStreams = modules.filter((module) => module.includes("/submodules/event-streams/"));
      // A client's config step (resolveEventStreamSerdeConfig) is the one part that stays, in the
      // functions that have a client.
      const client = modules.includes("aws-lambdas/shared/no-event-streams.ts");
      expect(eventStreams, name).toEqual(
        client
          ? [
              "@smithy/core/dist-es/submodules/event-streams/eventstream-serde-config-resolver/EventStreamSerdeConfig.js",
            ]
          : [],
      );
      expect(
        files.filter((file) => file.includes("no-event-streams")),
        name,
      ).toEqual([]);
    }
    expect(
      [...built]
        .filter(([, { modules }]) => modules.includes("aws-lambdas/shared/no-event-streams.ts"))
        .map(([name]) => name),
    ).toEqual(["job-state", "submit-job"]);
  });

  it("prunedCreateJobSchema: submit-job carries CreateJob's schema cut to the members it sends, not MediaConvert's job settings", () => {
    const { modules, code } = built.get("submit-job")!;
    expect(modules).toContain("pruned-schema:CreateJob$");
    expect(code).toContain('"staticKeyValue"');
    expect(code).toContain('"frameCaptureSettings"');
    // Members no request of ours sets: in the full schema, not in the cut one.
    expect(code).not.toContain("h264Settings");
    expect(code).not.toContain("accelerationSettings");
  });

  it("partitionsWithoutDescriptions: the partition data without the regions' descriptions", () => {
    for (const [name, { code }] of built) {
      expect(code, name).toContain('"af-south-1":{}');
      expect(code, name).not.toContain("Africa (Cape Town)");
    }
  });

  it("the Lambdas' settings: their defaults and secret flags, not the whole registry (who reads what, infra's keys)", () => {
    for (const [name, { code }] of built) {
      expect(code, name).toContain("WEBHOOK_TIMEOUT_MS");
      expect(code, name).not.toContain("analysisRetentionDays");
      expect(code, name).not.toContain("recordingsRetentionDays");
      expect(code, name).not.toContain("mediaConvertJobTemplate");
    }
  });

  // Each plugin that swaps modules for a stand-in: none of the modules it replaces in any function,
  // and its stand-in in exactly the functions whose code reaches the swapped modules.
  it.each([
    [
      "nativeHashes: none of the pure-JavaScript SHA-256, SHA-1, MD5 and CRC32, only their stand-in",
      /[\\/](Sha256Js|Sha1Js|Md5Js|Crc32Js)\.js$/,
      "aws-lambdas/shared/no-js-hashes.ts",
      // recording-index too: the SHA-256 that s3-objects.ts signs payloads with.
      ["recording-index", "job-state", "submit-job"],
    ],
    [
      "nodeStreams: neither web-stream twin of sdkStreamMixin or createChecksumStream, only their stand-in",
      /[\\/](sdk-stream-mixin|createChecksumStream)\.browser\.js$/,
      "aws-lambdas/shared/no-web-streams.ts",
      // MediaConvert's client; recording-index reached it through the S3 client.
      ["submit-job"],
    ],
    [
      "imdsFreeRegion: no instance-metadata region lookup, only its stand-in",
      /\/getInstanceMetadataRegion\.js$/,
      "aws-lambdas/shared/no-imds-region.ts",
      ["job-state", "submit-job"],
    ],
  ] as const)("%s", (_title, replaced, standIn, reachedBy) => {
    for (const [name, { modules }] of built) {
      expect(
        modules.filter((module) => replaced.test(module)),
        name,
      ).toEqual([]);
    }
    expect([...built].filter(([, { modules }]) => modules.includes(standIn)).map(([name]) => name)).toEqual(reachedBy);
  });

  it("imdsFreeRegion's stand-in answers what the SDK's lookup ends in without an instance metadata service", async () => {
    // As in a Lambda: no instance metadata service, so no region from it.
    expect(await getInstanceMetadataRegion()).toBeUndefined();
  });
});
