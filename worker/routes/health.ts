/**
 * GET /api/media/health: the deployed version, which settings are present (names only) and whether
 * each table and bucket the Worker uses answers a cheap read-only call with its credentials
 * (worker/health/checks.ts). 200 when every check passes, else 503. Never cached: it reports now.
 * `npm run doctor -- <worker-url>` (local/doctor.ts) reads it and says how to fix each failure.
 */
import { Hono } from "hono/tiny";
// Bundled at build time (esbuild inlines the one field), so the report names the deployed build.
import { version } from "../../package.json";
import type { AppEnv } from "../env.ts";
import { runHealthChecks, settingsPresence } from "../health/checks.ts";

export const healthRoutes = new Hono<AppEnv>().get("/health", async (c) => {
  const checks = await runHealthChecks(c.get("aws"), c.get("config"));
  const ok = checks.every((check) => check.ok);
  return c.json(
    { success: ok, version, settings: settingsPresence(c.env as Record<string, unknown>), checks },
    ok ? 200 : 503,
    { "cache-control": "no-store" },
  );
});
