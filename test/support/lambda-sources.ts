/**
 * The Lambdas' own sources as esbuild bundles them, for tests that reason about what the built
 * functions can call (the stand-ins of aws-lambdas/build-plugins.ts): only the files esbuild puts
 * in a function count; tooling beside them (the reindex command) runs on the SDK as published.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { buildOptions, discoverFunctions } from "../../aws-lambdas/build.ts";

let bundled: Promise<string[]> | undefined;

/** Absolute paths of the project's .ts files in any function's bundle (built once per test file). */
export function bundledSources(): Promise<string[]> {
  bundled ??= findBundledSources();
  return bundled;
}

async function findBundledSources(): Promise<string[]> {
  const sources = new Set<string>();
  for (const name of discoverFunctions()) {
    const { metafile } = await build({
      ...buildOptions(name, join(tmpdir(), "media-edge-sources", name)),
      write: false,
    });
    for (const path of Object.keys(metafile.inputs)) {
      if (path.endsWith(".ts") && !path.includes("node_modules")) sources.add(resolve(path));
    }
  }
  return [...sources].sort();
}

/** The S3 operations the functions' bundled sources import a command of, sorted. */
export async function bundledS3Operations(): Promise<string[]> {
  const operations = new Set<string>();
  for (const path of await bundledSources()) {
    const source = readFileSync(path, "utf8");
    for (const [, names] of source.matchAll(/import \{([^}]*)\} from "@aws-sdk\/client-s3"/g)) {
      for (const [, operation] of names!.matchAll(/\b(\w+)Command\b/g)) operations.add(operation!);
    }
  }
  return [...operations].sort();
}
