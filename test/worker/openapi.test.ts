/**
 * The API reference against the real Worker in workerd (DynamoDB Local, the local S3 server, the
 * chaos upstream, wrangler.toml's [assets] built by the global setup):
 * - the document lists exactly the routes the Hono app registers (`x-hono-path`);
 * - every route is called for its success and each documented error, and each answer is checked
 *   against the served document (status, content type, JSON body schema): an undocumented status or
 *   body fails; then every documented status must have been seen.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildDocument } from "../../openapi/document.ts";
import app from "../../worker/index.ts";
import { OPERATION_METHODS, ResponseChecker, type OpenApiDocument } from "./support/openapi.ts";
import { call, callWith } from "./support/request.ts";
import { testToken } from "./hls-support.ts";
import { CASES, seedOpenApiFixtures, type Case } from "./openapi-cases.ts";

const HONO_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** "<METHOD> <hono path>" of each documented operation; HEAD and OPTIONS answer for every GET and path. */
function documentedRoutes(document: OpenApiDocument): string[] {
  const routes: string[] = [];
  for (const item of Object.values(document.paths)) {
    for (const method of OPERATION_METHODS) {
      if (item[method] === undefined || method === "options") continue;
      if (method === "head") expect(item.get, `HEAD without GET on ${String(item["x-hono-path"])}`).toBeDefined();
      else routes.push(`${method.toUpperCase()} ${String(item["x-hono-path"])}`);
    }
  }
  return routes.sort();
}

const registeredRoutes = (): string[] =>
  [
    ...new Set(
      app.routes
        // The demo page (`GET /*`, worker/routes/page.ts) is not part of the API.
        .filter((route) => HONO_METHODS.has(route.method) && route.path.startsWith("/api/"))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ].sort();

describe("the OpenAPI document and the Hono app", () => {
  it("document every registered route, and no other", () => {
    expect(documentedRoutes(buildDocument("test") as OpenApiDocument)).toEqual(registeredRoutes());
  });
});

describe("every route's answers, checked against the served document", () => {
  let checker: ResponseChecker;

  beforeAll(async () => {
    const response = await call("/api/media/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe("3.1.0");
    expect(document).toEqual(JSON.parse(JSON.stringify(buildDocument(version(document)))));
    checker = new ResponseChecker(document);
    await seedOpenApiFixtures();
  });

  it.each(
    CASES.map((c): [string, Case] => [
      `${c.method ?? "GET"} ${c.path}${c.token ? " (token)" : ""} -> ${c.status} (${c.name})`,
      c,
    ]),
  )("%s", async (_label, testCase) => {
    const json = testCase.json?.();
    const init = {
      method: testCase.method ?? "GET",
      headers: { ...(json ? { "content-type": "application/json" } : {}), ...(await testCase.headers?.()) },
      origin: testCase.origin,
      ...(json ? { body: JSON.stringify(json) } : {}),
    };
    const token = testCase.token && (await testToken(...testCase.token));
    const path = token ? `${testCase.path}${testCase.path.includes("?") ? "&" : "?"}token=${token}` : testCase.path;
    const response = testCase.overrides ? await callWith(testCase.overrides(), path, init) : await call(path, init);
    expect(response.status, `${init.method} ${path}`).toBe(testCase.status);
    const body = await checker.check(init.method, path, response);
    if (testCase.body) expect(body).toMatchObject(testCase.body);
  });

  it("names every field of a COMPLETE status in the Status schema (it allows more, so the check above cannot tell)", async () => {
    const complete = CASES.find((c) => c.name === "COMPLETE" && c.path.startsWith("/api/media/status?"))!;
    const body = (await (await call(complete.path)).json()) as Record<string, unknown>;
    const schema = (buildDocument("test") as { components: { schemas: Record<string, { properties: object }> } })
      .components.schemas.Status!;
    expect(Object.keys(body).filter((field) => !(field in schema.properties))).toEqual([]);
  });

  it("has seen every documented status (inline ones per operation, shared ones on some route)", () => {
    expect(checker.unexercised()).toEqual([]);
  });
});

function version(document: OpenApiDocument): string {
  return String((document.info as Record<string, unknown>).version);
}
