/**
 * The one way files are written into the Worker's assets directory (scripts/static-assets.ts):
 * atomically, and not at all when nothing changed, because `wrangler dev` reloads its Worker on any
 * rewrite there (a second `npm start`, or a test's build, would disturb the running one).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyAtomically, writeAtomically } from "../../scripts/static-assets.ts";

const dir = mkdtempSync(join(tmpdir(), "media-edge-static-assets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file's identity: a rename onto it gives it a new inode. */
const identity = (path: string) => statSync(path).ino;

describe("writeAtomically and copyAtomically", () => {
  it("leave a file that already holds the bytes untouched, and replace one that does not", () => {
    const path = join(dir, "doc.json");
    writeAtomically(path, '{"a":1}');
    const first = identity(path);
    writeAtomically(path, '{"a":1}');
    expect(identity(path)).toBe(first);
    writeAtomically(path, new TextEncoder().encode('{"a":1}'));
    expect(identity(path)).toBe(first);
    writeAtomically(path, '{"a":2}');
    expect(identity(path)).not.toBe(first);
    expect(readFileSync(path, "utf8")).toBe('{"a":2}');
  });

  it("copy only when the target differs", () => {
    const source = join(dir, "source.js");
    const target = join(dir, "target.js");
    writeFileSync(source, "one");
    copyAtomically(source, target);
    const first = identity(target);
    copyAtomically(source, target);
    expect(identity(target)).toBe(first);
    writeFileSync(source, "two");
    copyAtomically(source, target);
    expect(identity(target)).not.toBe(first);
    expect(readFileSync(target, "utf8")).toBe("two");
  });
});
