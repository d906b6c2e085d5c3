/**
 * What the Lambda bundles load in place of `@smithy/core/event-streams` (aws-lambdas/build-plugins.ts
 * noEventStreams swaps it in; the sources and the tests keep the real module).
 *
 * The SDK reaches the module in two ways:
 * - HttpProtocol's loadEventStreamCapability `import()`s it for an operation whose input or output has
 *   an event-stream member, to build an `EventStreamSerde`;
 * - the S3 client imports it statically: its constructor calls `eventStreamSerdeProvider` to put an
 *   `eventStreamMarshaller` in its config (`resolveEventStreamSerdeConfig`), which only that
 *   `EventStreamSerde` ever uses (HttpProtocol.resolveEventStreamMarshaller).
 * No operation the functions call has an event stream: test/unit/lambda-event-streams.test.ts checks
 * every operation of the clients they use (the only one, an S3 select operation, is never called).
 * So the config step stays real, the marshaller the S3 client is given is one that refuses to work,
 * and every function leaves out the event-stream codec (HeaderMarshaller, EventStreamCodec, Int64,
 * the message streams: 9 KiB minified in each S3 function, 14 KiB as a never-loaded chunk in all).
 */
export { resolveEventStreamSerdeConfig } from "@smithy/core/event-streams";

function unavailable(): never {
  throw new Error("Event streams are not bundled in the Lambdas (aws-lambdas/build-plugins.ts noEventStreams).");
}

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

/** Called by the S3 client's constructor: a marshaller that throws if an operation ever uses it. */
export function eventStreamSerdeProvider(): { serialize(): never; deserialize(): never } {
  return { serialize: unavailable, deserialize: unavailable };
}
