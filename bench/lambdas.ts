/**
 * Bench: size of each Lambda bundle (raw and gzip), as deployed (one minified ES module per function,
 * built by aws-lambdas/build.ts into dist/lambdas/). Lambda's limit is 50 MB zipped per direct
 * upload; smaller bundles also load faster at cold start.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
import { buildLambdas } from "../aws-lambdas/build.ts";
import type { BenchResult } from "./types.ts";

const KiB = 1024;

/** Builds every Lambda and reports its bundle size. */
export async function run(): Promise<BenchResult[]> {
  const bundles = await buildLambdas();
  return bundles.flatMap((bundle) => [
    { name: `lambda ${bundle.name}: bundle size (raw, minified)`, value: round(bundle.bytes / KiB), unit: "KiB" },
    { name: `lambda ${bundle.name}: bundle size (gzip)`, value: round(bundle.gzipBytes / KiB), unit: "KiB" },
  ]);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
