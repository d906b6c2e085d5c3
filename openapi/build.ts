/**
 * `npm run build:openapi`: writes the API reference into wrangler.toml's `[assets]` directory
 * (dist/page, shared with the demo page), under the paths the Worker serves them from:
 *   api/media/openapi.json                 the document (openapi/document.ts)
 *   api/media/docs/index.html, init.js     the reference page (openapi/page/)
 *   api/media/docs/swagger-ui-bundle.js, swagger-ui.css   from the swagger-ui-dist package: no CDN
 * Static assets are uploaded beside the Worker, never inside its bundle. The output is git-ignored;
 * the tests' global setup, `npm start` and `npm run deploy` build it first. Files are written under a
 * temporary name and renamed, so a `wrangler dev` started by a parallel test never reads half a file.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDocument } from "./document.ts";
import { DOC_PAGE_FILES } from "./files.ts";
import { ASSETS_DIR, copyAtomically, writeAtomically } from "../scripts/static-assets.ts";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The served document, as JSON text (minified: it is fetched by tools, and by the page once). */
export function openApiJson(): string {
  const { version } = JSON.parse(readFileSync(join(here, "../package.json"), "utf8")) as { version: string };
  return JSON.stringify(buildDocument(version));
}

/** Builds the reference into `assetsDir`; returns the bytes of the document. */
export function buildOpenApiAssets(assetsDir = ASSETS_DIR): { documentBytes: number } {
  const docs = join(assetsDir, "api/media/docs");
  mkdirSync(docs, { recursive: true });
  const document = openApiJson();
  writeAtomically(join(assetsDir, "api/media/openapi.json"), document);
  const swagger = dirname(require.resolve("swagger-ui-dist/package.json"));
  // One source per file the Worker's /api/media/docs/<file> route serves (the type makes it complete).
  const sources: Record<(typeof DOC_PAGE_FILES)[number], string> = {
    "init.js": join(here, "page/init.js"),
    "swagger-ui-bundle.js": join(swagger, "swagger-ui-bundle.js"),
    "swagger-ui.css": join(swagger, "swagger-ui.css"),
  };
  copyAtomically(join(here, "page/index.html"), join(docs, "index.html"));
  for (const name of DOC_PAGE_FILES) copyAtomically(sources[name], join(docs, name));
  writeAtomically(join(assetsDir, ".assetsignore"), "*.tmp\n");
  return { documentBytes: Buffer.byteLength(document) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { documentBytes } = buildOpenApiAssets();
  console.log(`Built the API reference into ${ASSETS_DIR}/api/media/ (openapi.json: ${documentBytes} bytes)`);
}
