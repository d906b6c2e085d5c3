/**
 * Why the Lambda bundles may leave out the web-stream twins of the SDK's response stream helpers
 * (aws-lambdas/shared/no-web-streams.ts): no S3 operation the functions call has a streaming output
 * (the only place `sdkStreamMixin` wraps a body); and in Node every response body is a `Readable`,
 * which the Node helpers handle themselves (see the stand-in).
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as s3 from "@aws-sdk/client-s3";
import { NormalizedSchema } from "@smithy/core/schema";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { buildOptions, discoverFunctions } from "../../aws-lambdas/build.ts";
import * as standIn from "../../aws-lambdas/shared/no-web-streams.ts";

/**
 * The S3 operations the functions' own sources import a command of: only the files esbuild puts in
 * a function (tooling beside them, such as the reindex command's GetObject, runs on the SDK as
 * published and never meets the stand-ins).
 */
async function s3OperationsCalled(): Promise<string[]> {
  const operations = new Set<string>();
  for (const name of discoverFunctions()) {
    const options = buildOptions(name, join(tmpdir(), "media-edge-web-streams", name));
    const { metafile } = await build({ ...options, write: false });
    const sources = Object.keys(metafile.inputs).filter(
      (path) => path.endsWith(".ts") && !path.includes("node_modules"),
    );
    for (const path of sources) {
      const source = readFileSync(resolve(path), "utf8");
      for (const [, names] of source.matchAll(/import \{([^}]*)\} from "@aws-sdk\/client-s3"/g)) {
        for (const [, operation] of names!.matchAll(/\b(\w+)Command\b/g)) operations.add(operation!);
      }
    }
  }
  return [...operations].sort();
}

/** Whether an operation's output (schema [9, namespace, name, traits, input, output]) has a streaming member. */
function streamsOutput(operation: string): boolean {
  const schema = (s3 as unknown as Record<string, unknown[]>)[`${operation}$`]!;
  const output = NormalizedSchema.of(schema[5] as never);
  return Object.values(output.getMemberSchemas()).some((member) => member.isStreaming());
}

describe("web streams in the Lambdas' S3 responses", () => {
  it("no S3 operation the functions call has a streaming output (GetObject would)", async () => {
    const called = await s3OperationsCalled();
    expect(called).toEqual(expect.arrayContaining(["PutObject", "HeadObject", "ListObjectsV2"]));
    expect(called.filter(streamsOutput)).toEqual([]);
    expect(streamsOutput("GetObject")).toBe(true);
  });

  it("the bundles' stand-ins fail loudly if a web stream ever came", () => {
    expect(() => standIn.sdkStreamMixin()).toThrow(/not bundled in the Lambdas/);
    expect(() => standIn.createChecksumStream()).toThrow(/not bundled in the Lambdas/);
  });
});
