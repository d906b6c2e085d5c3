/**
 * The API reference document (openapi/document.ts) is a valid OpenAPI 3.1 document; the built assets are what the Worker serves, the page
 * loads nothing from another origin, and the document's size is reported (it lives in the static
 * assets, not in the Worker bundle).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import { buildOpenApiAssets, openApiJson } from "../../openapi/build.ts";
import { buildDocument } from "../../openapi/document.ts";
import { DOC_PAGE_FILES } from "../../openapi/files.ts";

const outdir = mkdtempSync(join(tmpdir(), "media-edge-openapi-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(buildDocument("0.0.0") as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("rejects what the validator should (a response without a description): the check is live", async () => {
    const document = buildDocument("0.0.0") as { paths: Record<string, Record<string, { responses: object }>> };
    document.paths["/api/media/job_id"]!.get!.responses = { "200": {} };
    expect((await new Validator().validate(document as never)).valid).toBe(false);
  });

  it("names the Hono route of every path, and serves every path (uploads, health and stills too)", () => {
    const all = buildDocument("0.0.0") as { paths: Record<string, Record<string, unknown>> };
    for (const [path, item] of Object.entries(all.paths)) expect(item["x-hono-path"], path).toMatch(/^\/api\/media\//);
    const served = JSON.parse(openApiJson()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(served.paths)).toEqual(
      expect.arrayContaining(["/api/media/uploads", "/api/media/health", "/api/media/vod/{jobId}/poster.jpg"]),
    );
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(all.paths).sort());
  });
});

describe("the built reference assets", () => {
  const { documentBytes } = buildOpenApiAssets(outdir);
  const served = readFileSync(join(outdir, "api/media/openapi.json"));

  it("hold the document and the page's files", () => {
    expect(served.toString()).toBe(openApiJson());
    expect(documentBytes).toBe(served.byteLength);
    for (const file of ["index.html", ...DOC_PAGE_FILES]) {
      expect(readFileSync(join(outdir, "api/media/docs", file)).byteLength, file).toBeGreaterThan(100);
    }
  });

  it("make a page that loads only its own files (no CDN) and points Swagger UI at this document", () => {
    const html = readFileSync(join(outdir, "api/media/docs/index.html"), "utf8");
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.sort()).toEqual(DOC_PAGE_FILES.map((file) => `/api/media/docs/${file}`).sort());
    const init = readFileSync(join(outdir, "api/media/docs/init.js"), "utf8");
    expect(init).toContain('url: "/api/media/openapi.json"');
    expect(init).toContain("validatorUrl: null"); // else Swagger UI sends the document to validator.swagger.io
  });

  it("report the document's size (static assets: 0 bytes of the Worker bundle)", () => {
    const gzip = gzipSync(served).byteLength;
    console.log(`openapi.json: ${served.byteLength} bytes, ${gzip} bytes gzip`);
    // A budget for the document itself: it is fetched by tools and by the page once per visit.
    expect(served.byteLength).toBeLessThan(64 * 1024);
    expect(gzip).toBeLessThan(8 * 1024);
  });
});
