/**
 * The seed-compatible lookups that replace the two Lambda@Edge functions:
 * GET /api/media/job_id?input_file=...  (mediaConvertInputFileToJobIdEdgeApi)
 * GET /api/media/status?job_id=...      (mediaConvertJobIdToStatusEdgeApi)
 * Same status codes, keys and messages; CORS and errors are handled by the app's middleware.
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import type { Rows } from "../aws/rows.ts";
import { getRow } from "../aws/targets.ts";
import type { AppEnv } from "../env.ts";
import { cachedLookup } from "../http/edge-cache.ts";
import { ApiError, SEED_MESSAGES } from "../http/errors.ts";
import { SEED_JSON_CONTENT_TYPE } from "../http/media-types.ts";
import { seedKeyParameter } from "../http/params.ts";
import { pythonJsonDumps } from "../http/python-compat.ts";
import { jobIdBody, statusBody } from "../jobs/status-body.ts";

async function seedLookup<R extends "inputFileToJobId" | "jobIdToStatus">(
  c: Context<AppEnv>,
  role: R,
  parameter: string,
  render: (item: Rows[R]) => Record<string, unknown>,
): Promise<Response> {
  const value = seedKeyParameter(c.req.url, parameter);
  const config = c.get("config");
  const table = config.tables[role];
  // A table name never holds "/" (settings-reader's TABLE_NAME), so table/value names one item without escaping.
  const body = await cachedLookup(c, `${table}/${value}`, async () => {
    const item = await getRow(c.get("aws"), role, table, value);
    return item === undefined ? undefined : pythonJsonDumps(render(item));
  });
  // The seed answers 422 (not 404) for a missing item; frontends may depend on it.
  if (body === undefined) throw new ApiError(422, SEED_MESSAGES.notFoundItem);
  // One Response with its headers, rather than c.body's Headers built and copied (issue 12).
  return new Response(body, {
    status: 200,
    headers: { "content-type": SEED_JSON_CONTENT_TYPE, "cache-control": `public, max-age=${config.cacheTtlSeconds}` },
  });
}

export const jobRoutes = new Hono<AppEnv>()
  .get("/job_id", (c) => seedLookup(c, "inputFileToJobId", "input_file", jobIdBody))
  .get("/status", (c) => seedLookup(c, "jobIdToStatus", "job_id", statusBody));
