/**
 * The baselines for `npm run bench`: bare Hono routes in the same runtime, doing no I/O.
 * /bare-logged also writes one JSON access-log line like the real Worker, to separate the cost of
 * logging (console output is comparatively expensive under `wrangler dev`) from the rest.
 */
import { Hono } from "hono";

const body = { success: true, job_status: "PROGRESSING", progress_rate: 70 };

export default new Hono()
  .get("/bare", (c) => c.json(body))
  .get("/bare-logged", (c) => {
    console.log(JSON.stringify({ level: "info", msg: "request", method: "GET", path: "/bare-logged", status: 200 }));
    return c.json(body);
  });
