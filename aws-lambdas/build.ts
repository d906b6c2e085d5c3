/**
 * Bundles each Lambda into minified ES modules: `dist/lambdas/<name>/index.mjs` (handler
 * `index.handler`, runtime nodejs22.x) and the chunks it loads on its first event. Every folder `aws-lambdas/<name>/` with a `handler.ts` is a
 * function, so new functions are picked up without editing this file.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the versions we test are the versions we
 * run, and tree-shaking keeps only the clients each function uses.
 * https://docs.aws.amazon.com/lambda/latest/dg/typescript-package.html
 * https://esbuild.github.io/api/#build
 *
 * `npm run build:lambdas` builds and prints the sizes; the bench imports `buildLambdas`.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions, transform } from "esbuild";
import {
  imdsFreeRegion,
  lambdaCredentials,
  nativeHashes,
  noEventStreams,
  nodeStreams,
  partitionsWithoutDescriptions,
  prunedCreateJobSchema,
  sdkPackageVersions,
  sideEffectFreePackage,
  smallLruCache,
  treeShakableSchemas,
} from "./build-plugins.ts";

export { lambdaCredentials } from "./build-plugins.ts";

const LAMBDAS_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(LAMBDAS_DIR, "..");

/** One built function. */
export interface LambdaBundle {
  name: string;
  /** Path of the entry module (`index.mjs`, what Lambda imports), relative to the repository root. */
  file: string;
  /** Paths of every other file (chunks), relative to the repository root. */
  chunks: string[];
  /** The chunks the entry imports with `import()` on its first event (shared/lazy-handler.ts). */
  firstEventChunks: string[];
  /** Every file of the function (entry and chunks), minified. */
  bytes: number;
  /** The sum of each file gzipped on its own, as a deployment zip compresses them. */
  gzipBytes: number;
}

/** Names of the functions: folders of aws-lambdas/ that contain handler.ts, sorted. */
export function discoverFunctions(lambdasDir: string = LAMBDAS_DIR): string[] {
  return readdirSync(lambdasDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(lambdasDir, entry.name, "handler.ts")))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The esbuild options of one function written to `dir`: `index.mjs` plus the chunks its dynamic
 * `import()`s load (`splitting`: the handler modules load the SDK on the first event,
 * shared/lazy-handler.ts).
 */
export function buildOptions(name: string, dir: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: { index: join(LAMBDAS_DIR, name, "handler.ts") },
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    // Prefer packages' ES module builds so unused SDK code is tree-shaken.
    mainFields: ["module", "main"],
    plugins: [
      lambdaCredentials,
      treeShakableSchemas,
      prunedCreateJobSchema,
      sideEffectFreePackage("@aws-sdk/lib-dynamodb"),
      smallLruCache,
      sdkPackageVersions,
      noEventStreams,
      nativeHashes,
      nodeStreams,
      partitionsWithoutDescriptions,
      imdsFreeRegion,
    ],
    // Imported only by @aws-sdk/core's browser user-agent parser, with import() inside a function Node
    // clients never call. Tree-shaking drops the function, but code splitting would still emit every
    // import() target as a chunk (bowser: 34 KiB). External, so no chunk; the check below proves no
    // output imports it.
    external: ["bowser"],
  };
}

/**
 * What a file that refers to `require` gets in front: an ES module has no `require`, and a CommonJS
 * dependency's `require()` of a Node built-in would fail without it (esbuild's shim throws "Dynamic
 * require ... is not supported"). Only such files get it (`withRequireWhereUsed`).
 */
export const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);\n";

/** An identifier no source uses, that esbuild's `define` puts where a file refers to the free variable `require`. */
const REQUIRE_PROBE = "__lambdaBundleRequireProbe";

/**
 * Whether the JavaScript `code` refers to the free variable `require` (a call, `typeof require`, ...):
 * esbuild's `define` rewrites exactly those references, never a string or a property that spells it.
 * https://esbuild.github.io/api/#define
 */
export async function refersToRequire(code: string): Promise<boolean> {
  const { code: probed } = await transform(code, { format: "esm", define: { require: REQUIRE_PROBE } });
  return probed.includes(REQUIRE_PROBE);
}

/**
 * Prepends `REQUIRE_BANNER` to each written file that refers to `require`. Today no file of any
 * function does (the SDK, Powertools and our code are ES modules), so none carries the banner; it was
 * in every file (three per function, 0.1 KiB gzip each) when it went in as esbuild's `banner`.
 */
export async function withRequireWhereUsed(files: string[]): Promise<void> {
  for (const file of files) {
    const code = readFileSync(file, "utf8");
    if (await refersToRequire(code)) writeFileSync(file, REQUIRE_BANNER + code);
  }
}

/** Builds one function into `dir` and measures every file it wrote. */
async function buildFunction(name: string, dir: string): Promise<LambdaBundle> {
  rmSync(dir, { recursive: true, force: true });
  const result = await build(buildOptions(name, dir));
  const outputs = result.metafile.outputs;
  const strays = Object.values(outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external && !isBuiltin(imported.path));
  if (strays.length > 0) throw new Error(`${name} imports ${strays.map((s) => s.path).join(", ")}, not bundled.`);
  const files = Object.keys(outputs).map((file) => resolve(file));
  await withRequireWhereUsed(files);
  const entry = join(dir, "index.mjs");
  const entryImports = Object.entries(outputs).find(([file]) => resolve(file) === entry)![1].imports;
  const sizes = files.map((file) => {
    const code = readFileSync(file);
    return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  });
  return {
    name,
    file: relative(ROOT, entry),
    chunks: files.filter((file) => file !== entry).map((file) => relative(ROOT, file)),
    firstEventChunks: entryImports
      .filter((imported) => imported.kind === "dynamic-import")
      .map((imported) => relative(ROOT, resolve(imported.path))),
    bytes: sizes.reduce((sum, size) => sum + size.bytes, 0),
    gzipBytes: sizes.reduce((sum, size) => sum + size.gzipBytes, 0),
  };
}

/** Builds every function (or `names`) into `outDir` (default dist/lambdas) and returns their sizes. */
export async function buildLambdas(options: { outDir?: string; names?: string[] } = {}): Promise<LambdaBundle[]> {
  const outDir = options.outDir ?? join(ROOT, "dist", "lambdas");
  const bundles: LambdaBundle[] = [];
  for (const name of options.names ?? discoverFunctions()) bundles.push(await buildFunction(name, join(outDir, name)));
  return bundles;
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bundles = await buildLambdas();
  for (const bundle of bundles) {
    console.log(
      `${bundle.name.padEnd(16)} ${formatKiB(bundle.bytes).padStart(11)}  ${formatKiB(bundle.gzipBytes).padStart(10)} gzip  ${bundle.file}`,
    );
  }
}
