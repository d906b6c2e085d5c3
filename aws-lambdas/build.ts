/**
 * Bundles each Lambda into one minified ES module: `dist/lambdas/<name>/index.mjs` (handler
 * `index.handler`, runtime nodejs22.x). Every folder `aws-lambdas/<name>/` with a `handler.ts` is a
 * function, so new functions are picked up without editing this file.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the versions we test are the versions we
 * run, and tree-shaking keeps only the clients each function uses.
 * https://docs.aws.amazon.com/lambda/latest/dg/typescript-package.html
 * https://esbuild.github.io/api/#build
 *
 * `npm run build:lambdas` builds and prints the sizes; the bench imports `buildLambdas`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

const LAMBDAS_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(LAMBDAS_DIR, "..");

/**
 * Only the credential provider a function needs: the Lambda runtime puts the execution role's
 * credentials in the environment, so the SDK's default Node chain (SSO, ini files, web identity,
 * IMDS and the STS/SSO clients behind them) is swapped for the environment provider
 * (aws-lambdas/shared/lambda-credentials.ts). Nothing else in the SDK is replaced.
 */
export const lambdaCredentials: Plugin = {
  name: "lambda-credentials",
  setup(builder) {
    builder.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(LAMBDAS_DIR, "shared", "lambda-credentials.ts"),
    }));
  },
};

/** One built function. */
export interface LambdaBundle {
  name: string;
  /** Path of the bundle, relative to the repository root. */
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Names of the functions: folders of aws-lambdas/ that contain handler.ts, sorted. */
export function discoverFunctions(lambdasDir: string = LAMBDAS_DIR): string[] {
  return readdirSync(lambdasDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(lambdasDir, entry.name, "handler.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** Builds every function (or `names`) into `outDir` (default dist/lambdas) and returns their sizes. */
export async function buildLambdas(options: { outDir?: string; names?: string[] } = {}): Promise<LambdaBundle[]> {
  const outDir = options.outDir ?? join(ROOT, "dist", "lambdas");
  const names = options.names ?? discoverFunctions();
  const bundles: LambdaBundle[] = [];
  for (const name of names) {
    const outfile = join(outDir, name, "index.mjs");
    rmSync(dirname(outfile), { recursive: true, force: true });
    await build({
      entryPoints: [join(LAMBDAS_DIR, name, "handler.ts")],
      outfile,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "esm",
      minify: true,
      legalComments: "none",
      logLevel: "warning",
      // Prefer packages' ES module builds so unused SDK code is tree-shaken.
      mainFields: ["module", "main"],
      plugins: [lambdaCredentials],
      // Some dependencies call require() for Node built-ins; give the ES module bundle one.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
    const code = readFileSync(outfile);
    bundles.push({
      name,
      file: relative(ROOT, outfile),
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
    });
  }
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
