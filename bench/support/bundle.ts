/**
 * The Worker's deploy bundle: what `wrangler deploy` would upload, built with `--dry-run --outdir`,
 * and its size. Shared by the bench (bench/worker.ts) and the size check in `npm test`
 * (test/unit/worker-bundle-size.test.ts), so both measure the same bytes the same way.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildOpenApiAssets } from "../../openapi/build.ts";

/**
 * The project's own budget for the Worker bundle, gzip-compressed. Far below the platform limit on
 * purpose: bundle size is isolate start-up time on every cold isolate. Lower it as the bundle shrinks;
 * raise it only for a measured trade (CPU or behaviour bought with the bytes), written down here.
 * 44.5 KiB: the 44.44 KiB of December 2026 plus ~0.06 KiB of room. It was 62 KiB for the 60.5 KiB
 * bundle with every route, and issue 12 cut 17.7 KiB: every sub-app on hono/tiny (-3.0), our own
 * MediaConvert-playlist reader instead of m3u8-parser (-6.1), setting descriptions out of the
 * runtime registry (-1.5) and only the Worker's part of it in the Worker (-0.6), HS256 tokens on
 * WebCrypto instead of hono/jwt (-2.6), and no esbuild keep_names wrappers (-3.9, wrangler.toml);
 * the faces work then added 0.8, and the registry entries the Worker bundles shrank to each
 * setting's default and secret flag (-0.26); the recorder windows' one-pass writer added 0.8; then
 * short messages for the playlist builder's internal checks (-0.41), the window writer without its
 * fallback to the general serializer (-0.14) and optional attributes without a ternary each
 * (-0.02); the status work's whole-body upstream reads and call timer added 0.7; the window
 * writer's regular runs (one join of line ends per settled hour) added 0.28, less 0.05 of the
 * index writer that the Worker no longer bundles (a 7-day window's instructions -38%); the status
 * route's router that remembers its answers per path and one request-policy middleware added 0.15
 * (about -2% of a cache hit's instructions): 44.71 KiB, over the 44.6 budget of the time, raised to
 * 44.8 for those two measured trades. Then aws4fetch's signer without its AwsClient (-0.30, and -2%
 * of a status miss's instructions), the playlist serializer cut to what the Worker writes (-0.24),
 * no second type checks of decoded rows and options that one caller always gives (-0.09); then
 * EXT-X-I-FRAMES-ONLY kept in VOD playlists, a fix (+0.06), and the window listing's rules from one
 * place (+0.01): 44.17 KiB, budget 44.3. ACCESS_LOG (no access-log line for requests answered
 * without AWS, a status hit's CPU under load from 1.38-1.41x the bare route to about 1.2x) added
 * 0.09: 44.31 KiB, budget 44.4 for that measured trade. Preflights granting every request header
 * asked for, as the seed did, instead of checking an allow-list (-0.05): 44.26 KiB. Two upload
 * fixes (the parts' sizes checked against the limits at completion; keys with "." or ".." segments
 * refused) added 0.1, one reader of XML references instead of two saved 0.06: 44.29 KiB. Completion
 * refusing parts that do not add up to the declared size (a short part list made a shorter file,
 * transcoded as if whole: silent data loss) added 0.14: 44.44 KiB, budget 44.5 for that trade. Playlist
 * tokens issued on a step, so hls.js asks once per job for a key it would have asked once per
 * rendition (hls.js keeps keys by URI), added 0.02: 44.46 KiB. What the bytes
 * cost is measured too: `npm run bench` gives the Worker's cold-start CPU over the bare Hono route's,
 * per KiB (bench/worker.ts, coldStartResults). One strict
 * ListObjectsV2 reader instead of the S3-exact fast path would save 0.46 KiB more but parses a
 * 1,000-key page in about twice the CPU (0.34 against 0.15 ms in Node), on every listed window:
 * not a trade worth making. Issue 12's goal is 40 KiB (`npm run
 * bench` prints it as missed): what is left is hono (~5.5 KiB, mostly class methods esbuild cannot
 * drop), aws4fetch (~2.5 KiB) and our own code, where duplicates cost almost nothing once gzipped:
 * only removing unique code helps.
 */
export const WORKER_BUNDLE_BUDGET_GZIP_BYTES = Math.ceil(44.5 * 1024);

/**
 * Cloudflare's Worker size limits. The limits page now documents 64 MiB (uncompressed) on every plan
 * (https://developers.cloudflare.com/workers/platform/limits/, December 2026; cloudflare-docs#31002).
 * The compressed limits it documented before, 3 MiB on Workers Free and 10 MiB on Workers Paid, are
 * kept as a check too: the Free one is the strictest an account has had.
 */
export const WORKERS_SIZE_LIMITS = {
  uncompressedBytes: 64 * 1024 * 1024,
  freePlanGzipBytes: 3 * 1024 * 1024,
  paidPlanGzipBytes: 10 * 1024 * 1024,
} as const;

/**
 * `wrangler deploy --dry-run --outdir` for a config (and optionally one of its environments): the
 * bundle that would be uploaded. Returns its main module. Offline: no account, no network.
 */
export function buildDeployBundle(
  outdir: string,
  config: string,
  env?: string,
  /** More `wrangler deploy` options, e.g. `--minify=false` to read V8's traces by function name. */
  extraArgs: readonly string[] = [],
): string {
  // wrangler refuses a config whose [assets] directory is missing; `npm run deploy` builds it first too.
  buildOpenApiAssets();
  execFileSync(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "deploy",
      "--dry-run",
      "--outdir",
      outdir,
      "--config",
      config,
      ...(env ? ["--env", env] : []),
      ...extraArgs,
    ],
    {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      // Captured, so a failed build throws with wrangler's message in it.
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const main = readdirSync(outdir).find((name) => name.endsWith(".js"));
  if (!main) throw new Error(`wrangler deploy --dry-run wrote no module to ${outdir}`);
  return join(outdir, main);
}

/** Raw and gzip size in bytes of the JavaScript modules in a deploy bundle's folder. */
export function bundleSize(outdir: string): { raw: number; gzip: number } {
  const files = readdirSync(outdir).filter((name) => name.endsWith(".js"));
  const bytes = Buffer.concat(files.map((name) => readFileSync(join(outdir, name))));
  return { raw: bytes.length, gzip: gzipSync(bytes).length };
}
