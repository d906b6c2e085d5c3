/**
 * esbuild plugins for the Lambda bundles (aws-lambdas/build.ts). Each one changes only how the SDK is
 * bundled, never what it does: test/lambdas/bundles.test.ts runs the built functions against DynamoDB
 * Local and the local S3 server.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { prunedOperationModule } from "./schema-pruning.ts";

const LAMBDAS_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Only the credential provider a function needs: the Lambda runtime puts the execution role's
 * credentials in the environment, so the SDK's default Node chain (SSO, ini files, web identity,
 * IMDS and the STS/SSO clients behind them) is swapped for the environment provider
 * (aws-lambdas/shared/lambda-credentials.ts).
 */
export const lambdaCredentials: Plugin = {
  name: "lambda-credentials",
  setup(builder) {
    builder.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(LAMBDAS_DIR, "shared", "lambda-credentials.ts"),
    }));
  },
};

/** Top-level `const _x = "text";` of a generated schema module (no escapes in the generated names). */
const STRING_CONST = /^const (_\w+) = "([^"\\]*)";$/gm;
/** A computed property key naming one of those constants: `{ [_hH]: ... }`. */
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/**
 * Rewrites `{ [_hH]: _xaa }` as `{ "httpHeader": _xaa }` where `_hH` is the module's own string
 * constant: the same object, but a literal key. esbuild keeps every top-level statement whose
 * initialiser has a computed key (the key's conversion to a string could run code), so each client's
 * schema module was bundled whole (S3: every one of its ~100 operations' shapes, 65 KiB minified);
 * with literal keys the shapes no command of ours references are dropped.
 * https://esbuild.github.io/api/#tree-shaking
 */
export function literalSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, value] of source.matchAll(STRING_CONST)) constants.set(name!, value!);
  return source.replace(COMPUTED_KEY, (whole, name: string) => {
    const value = constants.get(name);
    // A literal "__proto__" key would set the prototype instead of an own property: keep it computed.
    return value === undefined || value === "__proto__" ? whole : `${JSON.stringify(value)}:`;
  });
}

/** Applies `literalSchemaKeys` to every AWS SDK client's generated schema module. */
export const treeShakableSchemas: Plugin = {
  name: "tree-shakable-schemas",
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => ({
        contents: literalSchemaKeys(await readFile(args.path, "utf8")),
        loader: "js",
      }),
    );
  },
};

/** Marks a resolution as already handled by `sideEffectFreePackage` (no second pass). */
const RESOLVED = Symbol("side-effect-free");

/**
 * Declares the files of `pkg` free of side effects, as its package.json would with `"sideEffects":
 * false`, so esbuild drops the modules whose exports nothing uses.
 * https://esbuild.github.io/api/#ignore-annotations (what the flag means to esbuild)
 *
 * For @aws-sdk/lib-dynamodb, whose package.json lacks the flag that every @aws-sdk/client-* has: its
 * ES modules only import, export and declare classes, functions and constants, but esbuild cannot
 * know that `class GetCommand extends DynamoDBDocumentClientCommand` runs nothing. So every function
 * importing shared/clients.ts carried the document client, all 16 of its commands and the DynamoDB
 * client behind them (recording-index and webhook-deliver use no DynamoDB at all).
 */
export function sideEffectFreePackage(pkg: string): Plugin {
  const inPackage = new RegExp(`[\\\\/]node_modules[\\\\/]${pkg.replace(/[/\\^$.*+?()[\]{}|-]/g, "\\$&")}[\\\\/]`);
  return {
    name: `side-effect-free:${pkg}`,
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVED) return undefined;
        const ours = args.path === pkg || (args.path.startsWith(".") && inPackage.test(args.importer));
        if (!ours) return undefined;
        const { path, namespace, errors, warnings } = await builder.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: RESOLVED,
        });
        return errors.length > 0 ? { errors, warnings } : { path, namespace, warnings, sideEffects: false };
      });
    },
  };
}

/**
 * `mnemonist/lru-cache` (with obliterator, 7 KiB minified) resolved to shared/lru-cache.ts, which
 * implements the part @aws-sdk/endpoint-cache, its only importer here, calls.
 */
export const smallLruCache: Plugin = {
  name: "small-lru-cache",
  setup(builder) {
    builder.onResolve({ filter: /^mnemonist\/lru-cache(\.js)?$/ }, () => ({
      path: join(LAMBDAS_DIR, "shared", "lru-cache.ts"),
    }));
  },
};

/**
 * Each @aws-sdk package's package.json reduced to its `version`: the clients import the whole file
 * (`import packageInfo from "../package.json"`, 2.5 KiB each) to put `packageInfo.version` in the
 * User-Agent header, the only field any of them reads.
 */
export const sdkPackageVersions: Plugin = {
  name: "sdk-package-versions",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, "utf8")) as { version: string };
      return { contents: JSON.stringify({ version }), loader: "json" };
    });
  },
};

/** What the MediaConvert client's CreateJobCommand module imports its operation schema with. */
const CREATE_JOB_SCHEMA_IMPORT = 'import { CreateJob$ } from "../schemas/schemas_0";';

/** submit-job's CreateJob schema, computed once per process (the samples and the SDK do not change). */
let prunedCreateJob: Promise<string> | undefined;

async function prunedCreateJobSource(): Promise<string> {
  const { createJobSamples } = await import("./submit-job/create-job-samples.ts");
  // The full schema, read where the build runs (the same package version the bundle takes dist-es from).
  const { CreateJob$ } = createRequire(import.meta.url)("@aws-sdk/client-mediaconvert") as { CreateJob$: unknown };
  return prunedOperationModule("CreateJob$", CreateJob$, createJobSamples());
}

/**
 * MediaConvert's CreateJob schema cut to the members submit-job sends and reads (schema-pruning.ts
 * says why that leaves every request and every read value as it was; test/lambdas/bundles.test.ts
 * compares the built function's request with the full SDK's): submit-job 18 KiB less gzip. Only
 * CreateJobCommand's import is swapped; every other schema (CancelJob's, the errors') is the SDK's.
 * The build fails if the command no longer imports its schema that way, and test/lambdas/build.test.ts
 * if the cut schema is not in the bundle (e.g. the command's file moved).
 */
export const prunedCreateJobSchema: Plugin = {
  name: "pruned-create-job-schema",
  setup(builder) {
    const commandFile = /[\\/]client-mediaconvert[\\/]dist-es[\\/]commands[\\/]CreateJobCommand\.js$/;
    builder.onLoad({ filter: commandFile }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes(CREATE_JOB_SCHEMA_IMPORT))
        throw new Error(`${args.path} no longer contains ${CREATE_JOB_SCHEMA_IMPORT}`);
      return { contents: source, loader: "js", resolveDir: dirname(args.path) };
    });
    builder.onResolve({ filter: /^\.\.\/schemas\/schemas_0$/ }, (args) =>
      commandFile.test(args.importer) ? { path: "CreateJob$", namespace: "pruned-schema" } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: "pruned-schema" }, async () => ({
      contents: await (prunedCreateJob ??= prunedCreateJobSource()),
      loader: "js",
    }));
  },
};

/** The stand-in for `@smithy/core/event-streams` (see there why no function reaches the real one). */
const NO_EVENT_STREAMS = join(LAMBDAS_DIR, "shared", "no-event-streams.ts");

/** HttpProtocol's on-demand load of the event-stream module (@smithy/core/dist-es/submodules/protocols). */
const EVENT_STREAMS_IMPORT = 'await import("@smithy/core/event-streams")';

/**
 * Every import of `@smithy/core/event-streams` resolved to shared/no-event-streams.ts (except the
 * stand-in's own, which re-exports the real config step), and HttpProtocol's `import()` of it made a
 * static import of the stand-in: code splitting emits every `import()` target as a chunk of its own
 * (a file in every function, loaded by no event), while the static import tree-shakes with the rest.
 * The build fails if the SDK no longer loads the module that way.
 */
export const noEventStreams: Plugin = {
  name: "no-event-streams",
  setup(builder) {
    builder.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
      args.importer === NO_EVENT_STREAMS ? undefined : { path: NO_EVENT_STREAMS },
    );
    builder.onLoad({ filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/].*[\\/]HttpProtocol\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes(EVENT_STREAMS_IMPORT))
        throw new Error(`${args.path} no longer contains ${EVENT_STREAMS_IMPORT}.`);
      const contents = `import * as eventStreams from "@smithy/core/event-streams";\n${source.replace(EVENT_STREAMS_IMPORT, "eventStreams")}`;
      return { contents, loader: "js" };
    });
  },
};

/**
 * A plugin that resolves the relative imports `swaps` names (importing module's file name -> the
 * specifier it imports) to `standIn`, a module of aws-lambdas/shared/ with the same exports. Only
 * those modules' imports are swapped: code elsewhere that imported the same file would keep the real
 * one (test/lambdas/build.test.ts checks that none is bundled).
 */
function standIn(name: string, standInFile: string, swaps: Readonly<Record<string, string>>): Plugin {
  const specifiers = new Set(Object.values(swaps));
  return {
    name,
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\/[\w./-]+$/ }, (args) => {
        if (!specifiers.has(args.path) || !/[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/.test(args.importer))
          return undefined;
        const importer = basename(args.importer);
        return Object.hasOwn(swaps, importer) && swaps[importer] === args.path
          ? { path: join(LAMBDAS_DIR, "shared", standInFile) }
          : undefined;
      });
    },
  };
}

/**
 * The pure-JavaScript hashes that the SDK's Node hash modules fall back to when node:crypto (or zlib)
 * lacks the algorithm, resolved to shared/no-js-hashes.ts (see there why Node 22 never needs them).
 */
export const nativeHashes = standIn("native-hashes", "no-js-hashes.ts", {
  "Sha256Node.js": "./Sha256Js",
  "Sha1Node.js": "./Sha1Js",
  "Md5Node.js": "./Md5Js",
  "Crc32Node.js": "./Crc32Js",
});

/**
 * The web-stream (`ReadableStream`) branches of the SDK's Node stream helpers resolved to
 * shared/no-web-streams.ts (see there why a Lambda's responses never take them).
 */
export const nodeStreams = standIn("node-streams", "no-web-streams.ts", {
  "sdk-stream-mixin.js": "./sdk-stream-mixin.browser",
  "createChecksumStream.js": "./createChecksumStream.browser",
});

/**
 * The SDK's instance-metadata region lookup resolved to shared/no-imds-region.ts, which answers
 * what the lookup answers in a Lambda (see there why).
 */
export const imdsFreeRegion = standIn("imds-free-region", "no-imds-region.ts", {
  "config.js": "./getInstanceMetadataRegion",
  "resolveDefaultsModeConfig.js": "../config-resolver/regionConfig/getInstanceMetadataRegion",
});

/** A region's entry in the SDK's partition data when it holds only its description. */
const DESCRIBED_REGION = /\{\s*"description":\s*"[^"\\]*"\s*\}/g;

/** @aws-sdk/core's partition data module. */
const PARTITIONS_MODULE =
  /[\\/]@aws-sdk[\\/]core[\\/]dist-es[\\/]submodules[\\/]client[\\/]util-endpoints[\\/]lib[\\/]aws[\\/]partitions\.js$/;

/**
 * The SDK's partition data (@aws-sdk/core util-endpoints partitions.js: each partition's regions
 * and outputs) with each region's `{ "description": "Africa (Cape Town)" }` written `{}`. The
 * endpoint rules look a region up by name and read the partition's outputs (`dnsSuffix`, `name`,
 * `supportsFIPS`, ...); no rule set of any client reads a description
 * (test/unit/lambda-partitions.test.ts), so the endpoints are the same, 2 KiB minified lighter.
 */
export function withoutRegionDescriptions(source: string): string {
  return source.replace(DESCRIBED_REGION, "{}");
}

/** Applies `withoutRegionDescriptions`; the build fails if the data no longer has descriptions to drop. */
export const partitionsWithoutDescriptions: Plugin = {
  name: "partitions-without-descriptions",
  setup(builder) {
    builder.onLoad({ filter: PARTITIONS_MODULE }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const contents = withoutRegionDescriptions(source);
      if (contents === source) throw new Error(`${args.path} has no region descriptions any more.`);
      return { contents, loader: "js" };
    });
  },
};
