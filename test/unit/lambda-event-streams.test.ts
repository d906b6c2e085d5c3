/**
 * Why the Lambda bundles may leave the event-stream codec out (aws-lambdas/shared/no-event-streams.ts):
 * the SDK loads it only for an operation whose input or output has an event-stream member, and no
 * operation of the clients the functions use has one, except S3's SelectObjectContent, which no
 * function calls.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as dynamodb from "@aws-sdk/client-dynamodb";
import * as mediaconvert from "@aws-sdk/client-mediaconvert";
import * as rekognition from "@aws-sdk/client-rekognition";
import * as s3 from "@aws-sdk/client-s3";
import * as secretsManager from "@aws-sdk/client-secrets-manager";
import * as sqs from "@aws-sdk/client-sqs";
import { NormalizedSchema } from "@smithy/core/schema";
import { describe, expect, it } from "vitest";
import * as standIn from "../../aws-lambdas/shared/no-event-streams.ts";

const LAMBDAS_DIR = fileURLToPath(new URL("../../aws-lambdas/", import.meta.url));

/** Names of a client module's operations (`Foo$` schemas: [9, namespace, name, traits, input, output]) with an event stream. */
function eventStreamOperations(client: Record<string, unknown>): string[] {
  const operations = Object.entries(client).filter(
    ([name, value]) => name.endsWith("$") && Array.isArray(value) && value[0] === 9,
  );
  expect(operations.length).toBeGreaterThan(10);
  return operations
    .filter(([, operation]) =>
      [(operation as unknown[])[4], (operation as unknown[])[5]].some(
        (schema) => NormalizedSchema.of(schema as never).getEventStreamMember() !== "",
      ),
    )
    .map(([name]) => name.slice(0, -1));
}

describe("event streams in the Lambdas' SDK clients", () => {
  it("only S3's SelectObjectContent has one", () => {
    const clients = { dynamodb, mediaconvert, rekognition, s3, secretsManager, sqs };
    const found = Object.fromEntries(
      Object.entries(clients).map(([name, client]) => [name, eventStreamOperations(client)]),
    );
    expect(found).toEqual({
      dynamodb: [],
      mediaconvert: [],
      rekognition: [],
      s3: ["SelectObjectContent"],
      secretsManager: [],
      sqs: [],
    });
  });

  it("no function calls SelectObjectContent", () => {
    const sources = readdirSync(LAMBDAS_DIR, { recursive: true, encoding: "utf8" }).filter((file) =>
      file.endsWith(".ts"),
    );
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources)
      expect(readFileSync(join(LAMBDAS_DIR, file), "utf8"), file).not.toMatch(/SelectObjectContent/);
  });

  it("the bundles' stand-in keeps the S3 client's config step and refuses any event-stream work", () => {
    const config = standIn.resolveEventStreamSerdeConfig({
      eventStreamSerdeProvider: standIn.eventStreamSerdeProvider,
    });
    const marshaller = config.eventStreamMarshaller as unknown as { serialize(): unknown; deserialize(): unknown };
    expect(() => marshaller.serialize()).toThrow(/not bundled/);
    expect(() => marshaller.deserialize()).toThrow(/not bundled/);
    expect(() => new standIn.EventStreamSerde()).toThrow(/not bundled/);
  });
});
