/**
 * CI's size gate (CI runs only `npm ci` and `npm test`, so it lives here): the Worker as
 * `wrangler deploy --dry-run` bundles it for production must fit Cloudflare's size limits and the
 * project's own budget. Same build and measure as `npm run bench` (bench/support/bundle.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  WORKER_BUNDLE_BUDGET_GZIP_BYTES,
  WORKERS_SIZE_LIMITS,
  buildDeployBundle,
  bundleSize,
} from "../../bench/support/bundle.ts";

const KiB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
let outdir: string;
let size: { raw: number; gzip: number };

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "media-edge-bundle-"));
  buildDeployBundle(outdir, "wrangler.toml", "production");
  size = bundleSize(outdir);
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe("the Worker's deploy bundle (wrangler deploy --dry-run --env production)", () => {
  it(`stays within the project's budget of ${KiB(WORKER_BUNDLE_BUDGET_GZIP_BYTES)} gzip`, () => {
    expect(size.gzip, `bundle is ${KiB(size.gzip)} gzip (${KiB(size.raw)} raw)`).toBeLessThanOrEqual(
      WORKER_BUNDLE_BUDGET_GZIP_BYTES,
    );
    // A bundle this small is no bundle at all (a build that silently produced a stub).
    expect(size.gzip).toBeGreaterThan(4 * 1024);
  });

  it("fits Cloudflare's Worker size limits on every plan", () => {
    expect(size.raw).toBeLessThanOrEqual(WORKERS_SIZE_LIMITS.uncompressedBytes);
    expect(size.gzip).toBeLessThanOrEqual(WORKERS_SIZE_LIMITS.freePlanGzipBytes);
    expect(size.gzip).toBeLessThanOrEqual(WORKERS_SIZE_LIMITS.paidPlanGzipBytes);
  });
});
