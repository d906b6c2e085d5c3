/**
 * What the Lambda bundles load in place of the web-stream (`ReadableStream`) versions of two SDK
 * stream helpers (aws-lambdas/build-plugins.ts nodeStreams swaps them in; the sources and the tests
 * keep the SDK's). Each Node helper (@smithy/core's serde/util-stream) hands its stream to its
 * `.browser` twin only when it is not a Node `Readable`:
 * - `sdkStreamMixin` wraps a streaming response body (an S3 GetObject `Body`);
 * - `createChecksumStream` wraps a response body whose checksum the SDK validates (GetObject).
 * The functions call no operation with a streaming output or a response checksum (no S3 operation
 * through the SDK at all: their S3 requests are aws-lambdas/shared/s3-objects.ts's), and in a Lambda
 * every response body is a Node `Readable` anyway: the node:http `IncomingMessage` of
 * @smithy/node-http-handler, or the `Readable.from` that S3's 200-error check puts back
 * (@aws-sdk/middleware-sdk-s3 to-stream/toStream.js). The twins and what they import (browser base64
 * and UTF-8 codecs, a web stream collector) are 3 KiB minified. test/unit/lambda-web-streams.test.ts
 * checks that no S3 operation of the sources bundled into a function has a streaming output.
 */

function unavailable(helper: string): never {
  throw new Error(
    `${helper} of a web ReadableStream is not bundled in the Lambdas (aws-lambdas/build-plugins.ts nodeStreams).`,
  );
}

export function sdkStreamMixin(): never {
  return unavailable("sdkStreamMixin");
}

export function createChecksumStream(): never {
  return unavailable("createChecksumStream");
}
