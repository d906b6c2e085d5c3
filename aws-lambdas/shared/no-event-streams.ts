/**
 * What the Lambda bundles load in place of `@smithy/core/event-streams` when the SDK's protocol code
 * imports it on demand (`import()` in HttpProtocol's loadEventStreamCapability, reached only for an
 * operation whose input or output has an event-stream member). No operation the functions call has
 * one: test/unit/lambda-event-streams.test.ts checks every operation of the clients they use. Without
 * this, every function carried the event-stream codec (14 KiB) as a chunk that is never loaded.
 * aws-lambdas/build-plugins.ts swaps it in; the S3 client's static import keeps the real module.
 */
function unavailable(): never {
  throw new Error("Event streams are not bundled in the Lambdas (aws-lambdas/build-plugins.ts noEventStreams).");
}

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export function eventStreamSerdeProvider(): never {
  return unavailable();
}
