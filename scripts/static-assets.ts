/**
 * The Worker's static-assets directory (wrangler.toml `[assets] directory`), which the demo page
 * (page/build.ts) and the API reference (openapi/build.ts) are both built into, and the one way they
 * write files there: under a temporary name, then renamed, so a `wrangler dev` started by a
 * parallel test never reads half a file.
 */
import { copyFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** wrangler.toml `[assets] directory`. Git-ignored; uploaded beside the Worker, never in its bundle. */
export const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/page");

export function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

export function copyAtomically(from: string, to: string): void {
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}
