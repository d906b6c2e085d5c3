/**
 * The demo page through the real Worker in workerd, with wrangler.toml's `[assets]` (dist/page,
 * built by the global setup) behind the ASSETS binding: served at /, with its CSP; API paths and
 * unknown paths keep the seed's 404; DEMO_PAGE=off turns the page off; the page calling its own
 * origin's API is same-origin, not a refused cross-origin call.
 */
import { describe, expect, it } from "vitest";
import { PAGE_CSP } from "../../worker/routes/page.ts";
import { BASE, call, callWith } from "./support/request.ts";

const NO_ROUTE = { success: false, message: "No route matches." };

describe("the demo page at /", () => {
  it("serves index.html with the page's CSP, no referrer, and the bundled script it loads", async () => {
    const response = await call("/", { origin: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('<label for="file-input">');
    // No CDN: every script and stylesheet the page names is on this origin.
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(sources.filter((source) => /^(https?:)?\/\//.test(source))).toEqual([]);

    const script = await call("/app.js", { origin: null });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    const code = await script.text();
    expect(code.length).toBeGreaterThan(100_000); // hls.js is bundled in, not fetched from a CDN
    expect(code).not.toMatch(/https:\/\/cdn\.|unpkg\.com|jsdelivr/);
    expect((await call("/hls.worker.js", { origin: null })).status).toBe(200);
    expect((await call("/styles.css", { origin: null })).headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("keeps the seed's JSON 404 for unknown paths, unknown API paths and other methods", async () => {
    for (const path of ["/nope.html", "/api/media/nope", "/api/media/"]) {
      const response = await call(path, { origin: null });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual(NO_ROUTE);
    }
    const post = await call("/", { method: "POST", origin: null });
    expect(post.status).toBe(404);
  });

  it("DEMO_PAGE=off answers the seed's 404 at / and for the page's files", async () => {
    for (const path of ["/", "/app.js", "/index.html"]) {
      const response = await callWith({ DEMO_PAGE: "off" }, path, { origin: null });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual(NO_ROUTE);
    }
  });

  it("a malformed DEMO_PAGE is a configuration error naming it", async () => {
    const response = await callWith({ DEMO_PAGE: "yes" }, "/", { origin: null });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ variable: "DEMO_PAGE" });
  });

  it("the page's own origin calling the API is same-origin: served, not refused as an unlisted origin", async () => {
    const own = await call("/api/media/status?job_id=page-probe", { origin: BASE });
    expect(own.status).toBe(422); // reached the lookup: "Not found item."
    expect(own.headers.get("access-control-allow-origin")).toBeNull();
    const other = await call("/api/media/status?job_id=page-probe", { origin: "https://edge.test.evil.net" });
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({ success: false, message: "ORIGIN is invalid." });
  });
});
