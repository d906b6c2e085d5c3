/**
 * Vitest globalSetup (Node side): one DynamoDB Local (in memory) and one S3 server per test
 * project, on free ports, with every table and bucket created. Endpoints reach tests through
 * `provide`/`inject`, and the Worker project passes them into workerd as bindings. It also builds
 * the demo page (dist/page, wrangler.toml's `[assets]` directory) for workerd and `wrangler dev`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { DEFAULT_BUCKETS, DEFAULT_TABLES } from "../../model/index.ts";
import { buildPage } from "../../page/build.ts";
import { startChaosUpstream } from "./chaos-upstream.ts";
import { ensureBuckets, ensureTables, startDynamoDbLocal, startS3Server } from "../../local/aws.ts";
import { buildOpenApiAssets } from "../../openapi/build.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    s3Endpoint: string;
    chaosEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The API reference in wrangler.toml's [assets] directory, for workerd and `wrangler dev`.
  buildOpenApiAssets();
  const s3Directory = mkdtempSync(join(tmpdir(), "media-edge-s3-"));
  const [dynamodb, s3] = await Promise.all([
    startDynamoDbLocal(),
    startS3Server({ directory: s3Directory }),
    buildPage(),
  ]);
  await Promise.all([
    // No TTL reaper in the test database. The tests run the Lambdas and the Worker on frozen clocks
    // (the fixtures' 2026-11-21), so the rows they write carry ExpirationTimes that are already past
    // on the wall clock, and DynamoDB Local's reaper deleted them at a random moment within a second
    // or two: a test that took longer under load then saw its row vanish (job-state "unknown-job",
    // job-state-order's differing final rows). Expiry itself is the code's own check (isExpired).
    ensureTables(dynamodb.endpoint, DEFAULT_TABLES, { timeToLive: false }),
    ensureBuckets(s3.endpoint, Object.values(DEFAULT_BUCKETS)),
  ]);
  const chaos = await startChaosUpstream(dynamodb.endpoint, s3.endpoint);
  project.provide("chaosEndpoint", chaos.endpoint);
  project.provide("dynamodbEndpoint", dynamodb.endpoint);
  project.provide("s3Endpoint", s3.endpoint);
  return async () => {
    await Promise.all([dynamodb.stop(), s3.stop(), chaos.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  };
}
