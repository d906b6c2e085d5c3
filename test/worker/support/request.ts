/** Calling the Worker from tests: through the runtime (exports.default.fetch) or with other bindings. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../../worker/index.ts";

export const BASE = "https://edge.test";
export const ALLOWED_ORIGIN = "https://app.nightonly.com";

type CallInit = RequestInit & { origin?: string | null };

/** The Request for `path` on BASE, from ALLOWED_ORIGIN unless `init.origin` names another (null: none). */
function request(path: string, init: CallInit): Request {
  const headers = new Headers(init.headers);
  const origin = init.origin === undefined ? ALLOWED_ORIGIN : init.origin;
  if (origin !== null) headers.set("origin", origin);
  return new Request(`${BASE}${path}`, { ...init, headers });
}

/** A request through the real Worker entrypoint with the test bindings. */
export async function call(path: string, init: CallInit = {}): Promise<Response> {
  return exports.default.fetch(request(path, init));
}

/** A request handled with the test bindings plus `overrides` (a fresh env object, so config is re-read). */
export async function callWith(
  overrides: Record<string, unknown>,
  path: string,
  init: CallInit = {},
): Promise<Response> {
  const bindings = { ...(env as unknown as Record<string, unknown>), ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete bindings[name];
  const ctx = createExecutionContext();
  const response = await worker.fetch(request(path, init), bindings as never, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The test bindings, typed loosely. */
export const bindings = env as unknown as Record<string, string>;

/** How many requests the chaos upstream (test/support/chaos-upstream.ts) has received on `path`. */
export async function chaosRequests(path: string): Promise<number> {
  const response = await fetch(`${bindings.TEST_CHAOS_ENDPOINT}/__count${path}`);
  return ((await response.json()) as { count: number }).count;
}
