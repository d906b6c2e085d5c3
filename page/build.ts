/**
 * `npm run build:page`: bundles the demo page into dist/page/, the `[assets]` directory of
 * wrangler.toml. hls.js and every other script come from node_modules and are bundled by esbuild:
 * no CDN. The output is git-ignored; `npm start`, the tests' global setup and `npm run deploy`
 * build it first. dist/page/ is uploaded beside the Worker as static assets, never inside its bundle.
 *
 * Each file is written to a temporary name and renamed, so a `wrangler dev` started by a parallel
 * test never reads half a file.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ASSETS_DIR, copyAtomically, writeAtomically } from "../scripts/static-assets.ts";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** Builds the page into `outDir`; returns the files written with their sizes. */
export async function buildPage(outDir = ASSETS_DIR): Promise<Record<string, number>> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(here, "src/main.ts")],
    bundle: true,
    format: "esm",
    target: ["chrome110", "firefox110", "safari16"],
    minify: true,
    legalComments: "linked",
    write: false,
    outfile: join(outDir, "app.js"),
    logLevel: "warning",
  });
  const sizes: Record<string, number> = {};
  for (const file of result.outputFiles) {
    writeAtomically(file.path, file.contents);
    sizes[file.path.slice(outDir.length + 1)] = file.contents.byteLength;
  }
  // hls.js's transmuxer worker (config.workerPath): the ESM build cannot inline it.
  const copies: Array<[string, string]> = [
    [require.resolve("hls.js/dist/hls.worker.js"), "hls.worker.js"],
    [join(here, "index.html"), "index.html"],
    [join(here, "styles.css"), "styles.css"],
  ];
  for (const [from, name] of copies) copyAtomically(from, join(outDir, name));
  writeAtomically(join(outDir, ".assetsignore"), "*.tmp\n");
  return sizes;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await buildPage();
  const listed = Object.entries(sizes).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`Built the demo page into ${ASSETS_DIR}: ${listed.join(", ")} (+ hls.worker.js, index.html, styles.css)`);
}
