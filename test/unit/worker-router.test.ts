/**
 * The app's router (worker/http/router.ts) and the log line (worker/http/log.ts): both were made
 * cheaper per request (issue 12) and must answer exactly as what they replaced.
 */
import { PatternRouter } from "hono/router/pattern-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "../../worker/http/log.ts";
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
});

describe("log", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["info", "request", { request_id: "r-1", path: '/a "b" \\ \u2028', status: 200, cache: undefined, n: 1.5 }],
    ["info", "bare", {}],
    ["warn", 'quoted "message"', { nested: { list: [1, "x"] } }],
  ] as const)("writes JSON.stringify({ level, msg, ...fields }) for %s %j", (level, message, fields) => {
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
    }
    log(level, message, fields);
    expect(lines).toEqual([JSON.stringify({ level, msg: message, ...fields })]);
  });
});
