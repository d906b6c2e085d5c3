/**
 * The app's router (worker/http/router.ts): PatternRouter with its answers remembered per method
 * and path (issue 12), which must answer exactly as PatternRouter does.
 */
import { PatternRouter } from "hono/router/pattern-router";
import { describe, expect, it, vi } from "vitest";
import { RememberingRouter } from "../../worker/http/router.ts";

/** Routes shaped like the app's: middleware on "*", static paths, parameters, wildcards. */
const ROUTES: Array<[string, string]> = [
  ["ALL", "*"],
  ["GET", "/api/media/job_id"],
  ["GET", "/api/media/status"],
  ["GET", "/api/media/recordings/:recorder/window.m3u8"],
  ["GET", "/api/media/vod/:jobId/*"],
  ["POST", "/api/media/uploads"],
  ["GET", "/*"],
];

const REQUESTS: Array<[string, string]> = [
  ["GET", "/api/media/status"],
  ["GET", "/api/media/status/"],
  ["HEAD", "/api/media/status"],
  ["POST", "/api/media/status"],
  ["GET", "/api/media/job_id"],
  ["GET", "/api/media/recordings/cam-1/window.m3u8"],
  ["GET", "/api/media/recordings/cam-2/window.m3u8"],
  ["GET", "/api/media/vod/job-1/hls/index.m3u8"],
  ["POST", "/api/media/uploads"],
  ["GET", "/"],
  ["GET", "/nowhere"],
];

function routers(routes = ROUTES) {
  const pattern = new PatternRouter<string>();
  const remembering = new RememberingRouter<string>();
  for (const [method, path] of routes) {
    pattern.add(method, path, `${method} ${path}`);
    remembering.add(method, path, `${method} ${path}`);
  }
  return { pattern, remembering };
}

describe("RememberingRouter", () => {
  it("answers every request as PatternRouter does, first and repeated", () => {
    const { pattern, remembering } = routers();
    for (let pass = 0; pass < 2; pass++) {
      for (const [method, path] of REQUESTS) {
        expect(remembering.match(method, path), `${pass} ${method} ${path}`).toEqual(pattern.match(method, path));
      }
    }
  });

  it("forgets its answers when a route is added", () => {
    const { pattern, remembering } = routers();
    expect(remembering.match("GET", "/api/media/faces")).toEqual(pattern.match("GET", "/api/media/faces"));
    pattern.add("GET", "/api/media/faces", "faces");
    remembering.add("GET", "/api/media/faces", "faces");
    const answer = remembering.match("GET", "/api/media/faces");
    expect(answer).toEqual(pattern.match("GET", "/api/media/faces"));
    expect(answer[0].map(([handler]) => handler)).toContain("faces");
  });

  it("keeps answering right past its bound of remembered paths", () => {
    const { pattern, remembering } = routers();
    for (let index = 0; index < 600; index++) {
      const path = `/api/media/recordings/cam-${index}/window.m3u8`;
      expect(remembering.match("GET", path)).toEqual(pattern.match("GET", path));
    }
    expect(remembering.match("GET", "/api/media/status")).toEqual(pattern.match("GET", "/api/media/status"));
  });

  it("remembers the app's paths but not a path longer than 256 characters (a client's, up to the URL limit)", () => {
    const { pattern, remembering } = routers();
    const matches = vi.spyOn(PatternRouter.prototype, "match");
    try {
      const long = `/api/media/vod/job-1/${"x".repeat(300)}`;
      for (const path of ["/api/media/status", "/api/media/status", long, long]) {
        expect(remembering.match("GET", path)).toEqual(pattern.match("GET", path));
      }
      // One call per pattern.match above, plus PatternRouter's own: once for the short path, twice for the long.
      expect(matches).toHaveBeenCalledTimes(4 + 1 + 2);
    } finally {
      matches.mockRestore();
    }
  });
});
