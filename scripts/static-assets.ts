/**
 * The Worker's static-assets directory (wrangler.toml `[assets] directory`), which the demo page
 * (page/build.ts) and the API reference (openapi/build.ts) are both built into, and the one way they
 * write files there: under a temporary name, then renamed, so a `wrangler dev` started by a
 * parallel test never reads half a file; and not at all when the file already holds those bytes, so
 * a build that changes nothing (a second `npm start`, a test's or the bench's build) does not make a
 * running `wrangler dev`, which watches the directory, reload its Worker.
 */
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** wrangler.toml `[assets] directory`. Git-ignored; uploaded beside the Worker, never in its bundle. */
export const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/page");

/** Whether `path` holds exactly `contents` (false when it does not exist). */
function holds(path: string, contents: Uint8Array): boolean {
  try {
    return Buffer.from(contents).equals(readFileSync(path));
  } catch {
    return false;
  }
}

export function writeAtomically(path: string, contents: string | Uint8Array): void {
  const bytes = typeof contents === "string" ? Buffer.from(contents) : contents;
  if (holds(path, bytes)) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

export function copyAtomically(from: string, to: string): void {
  if (holds(to, readFileSync(from))) return;
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}
