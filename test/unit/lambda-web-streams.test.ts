/**
 * Why the Lambda bundles may leave out the web-stream twins of the SDK's response stream helpers
 * (aws-lambdas/shared/no-web-streams.ts): no S3 operation the functions call has a streaming output
 * (the only place `sdkStreamMixin` wraps a body); and in Node every response body is a `Readable`,
 * which the Node helpers handle themselves (see the stand-in).
 */
import * as s3 from "@aws-sdk/client-s3";
import { NormalizedSchema } from "@smithy/core/schema";
import { describe, expect, it } from "vitest";
import * as standIn from "../../aws-lambdas/shared/no-web-streams.ts";
import { bundledS3Operations } from "../support/lambda-sources.ts";

/** Whether an operation's output (schema [9, namespace, name, traits, input, output]) has a streaming member. */
function streamsOutput(operation: string): boolean {
  const schema = (s3 as unknown as Record<string, unknown[]>)[`${operation}$`]!;
  const output = NormalizedSchema.of(schema[5] as never);
  return Object.values(output.getMemberSchemas()).some((member) => member.isStreaming());
}

describe("web streams in the Lambdas' S3 responses", () => {
  it("no S3 operation the functions call has a streaming output (GetObject would)", async () => {
    // None today (their S3 requests are aws-lambdas/shared/s3-objects.ts's, not the SDK's); one a
    // function calls again is checked here.
    const called = await bundledS3Operations();
    expect(called.filter(streamsOutput)).toEqual([]);
    expect(streamsOutput("GetObject")).toBe(true);
  });

  it("the bundles' stand-ins fail loudly if a web stream ever came", () => {
    expect(() => standIn.sdkStreamMixin()).toThrow(/not bundled in the Lambdas/);
    expect(() => standIn.createChecksumStream()).toThrow(/not bundled in the Lambdas/);
  });
});
