/** Calling the Worker from tests: through the runtime (exports.default.fetch) or with other bindings. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../../worker/index.ts";

export const BASE = "https://edge.test";
export const ALLOWED_ORIGIN = "https://app.nightonly.com";

/** A request through the real Worker entrypoint with the test bindings. */
export async function call(path: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const origin = init.origin === undefined ? ALLOWED_ORIGIN : init.origin;
  if (origin !== null) headers.set("origin", origin);
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

/** A request handled with the test bindings plus `overrides` (a fresh env object, so config is re-read). */
export async function callWith(
  overrides: Record<string, unknown>,
  path: string,
  init: RequestInit & { origin?: string | null } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const origin = init.origin === undefined ? ALLOWED_ORIGIN : init.origin;
  if (origin !== null) headers.set("origin", origin);
  const bindings = { ...(env as unknown as Record<string, unknown>), ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete bindings[name];
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, { ...init, headers }), bindings as never, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The test bindings, typed loosely. */
export const bindings = env as unknown as Record<string, string>;
