/**
 * The app's one middleware, `requestPolicy`: the request id, configuration, the request's AWS
 * client, CORS and the per-response headers, and the one-line JSON access log, in one hono layer
 * (a factory that returns a hono MiddlewareHandler, hono's style).
 */
import type { Context, MiddlewareHandler } from "hono";
import { createAwsEdgeClient, type AwsEdgeClient } from "../aws/client.ts";
import { readConfig, ConfigError, type Config } from "../config.ts";
import type { AppEnv } from "../env.ts";
import { isOriginOf, originMatcher, type CorsDecision, type OriginMatcher, type OriginRule } from "../origins.ts";
import { CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, corsMethodsFor, grantedRequestHeaders } from "./cors.ts";
import { ApiError, SEED_MESSAGES } from "./errors.ts";
import { log, writesAccessLine } from "./log.ts";

// Header values that never change, joined once per isolate rather than once per response.
const EXPOSE_HEADERS = CORS_EXPOSED_HEADERS.join(", ");

/** A request id: Cloudflare's ray id when present (it links to Cloudflare's own logs), else a UUID. */
function requestIdOf(request: Request): string {
  const ray = request.headers.get("cf-ray");
  return ray && /^[0-9a-zA-Z-]{1,64}$/.test(ray) ? ray : crypto.randomUUID();
}

/**
 * Changes the response's headers, copying the response first if its headers are immutable
 * (responses passed through from fetch() or the Cache API).
 */
function editHeaders(c: Context<AppEnv>, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    edit(c.res.headers);
  }
}

/**
 * A request's AWS client for a config, with fresh counters. It takes the config's own credentials
 * object, whose signing keys are cached per object (signAws in worker/aws/upstream.ts).
 */
export function awsEdgeClient(config: Config): AwsEdgeClient {
  return createAwsEdgeClient({
    credentials: config.aws,
    endpoints: { dynamodb: config.dynamodbEndpoint, s3: config.s3 },
    policy: config.upstream,
  });
}

/** The validated config (once per isolate); a bad setting fails every request with its name. */
function configOf(c: Context<AppEnv>): Config {
  const config = readConfig(c.env);
  if (config instanceof ConfigError) {
    log("error", "configuration invalid", {
      request_id: c.get("requestId"),
      variable: config.variable,
      problem: config.message,
    });
    throw new ApiError(500, `Configuration error: ${config.message}`, { details: { variable: config.variable } });
  }
  return config;
}

/**
 * Every request's context and policy, in one middleware (hono's style: a factory that returns a
 * MiddlewareHandler):
 * - the request id (`c.get("requestId")`, the `x-request-id` header);
 * - the config, the request's one AWS client on `c.get("aws")` (routes pass it to the adapters
 *   like a binding, the access log reads its counters), and CORS;
 * - one JSON access-log line when the request ends, if ACCESS_LOG wants one (writesAccessLine: by
 *   default, for requests that called AWS or failed): method, path (never the query: it can hold
 *   tokens), status, upstream calls (the request's AWS client's counters, zero when the
 *   configuration did not load), cache, duration.
 * A failure of the policy itself (a bad setting, a refused origin) becomes its response through
 * `onError` (the app's error handler) here, so that it is logged like any other; the routes'
 * failures reach `onError` through hono before `next()` returns.
 *
 * CORS is not hono's cors(): it adds `Vary: Origin` only when the origin matched (so a shared
 * cache can serve one origin's ACAO to another, cf. expressjs/cors#106), echoes any requested
 * header when allowHeaders is empty, and cannot answer a refused origin with the seed's 422 JSON.
 * Here:
 * - every response carries `Vary: Origin`;
 * - an allowed origin is reflected (never `*`, never credentials);
 * - a refused origin gets 422 "ORIGIN is invalid." on GET/HEAD and on preflights (like the seed,
 *   other methods answer 404 "No route matches." whatever the origin);
 * - CORS headers are added after the handler ran, i.e. after any edge-cache read, so a cached body
 *   never carries another origin's headers.
 * https://fetch.spec.whatwg.org/#http-cors-protocol
 *
 * One middleware, and one header edit (CORS, Vary and x-request-id together), where there were
 * four middlewares and two edits: each hono layer is an async dispatch with its closure and
 * promises per request, each edit a pass over the response's headers. Measured on a status hit from
 * an allowed origin in plain workerd (callgrind, the whole process): three middlewares into two
 * saved about 14k instructions of ~360k; these two into one, with the remembered router
 * (router.ts), took it from 376k to 367k (bench/callgrind/status.ts, issue 12).
 */
export function requestPolicy(onError: (error: Error, c: Context<AppEnv>) => Response): MiddlewareHandler<AppEnv> {
  const decideCors = corsDecider();
  return async (c, next) => {
    const started = Date.now();
    const requestId = requestIdOf(c.req.raw);
    c.set("requestId", requestId);
    try {
      const config = configOf(c);
      c.set("config", config);
      c.set("aws", awsEdgeClient(config));
      const decision = decideCors(c, config);
      c.set("cors", decision);
      const method = c.req.method;
      const corsMethods = corsMethodsFor(c.req.path);
      // The seed's 422 on reads and preflights; the upload routes' POSTs are refused the same way.
      if (decision.kind === "rejected" && (method === "OPTIONS" || corsMethods.includes(method))) {
        throw new ApiError(422, SEED_MESSAGES.invalidOrigin);
      }
      if (method === "OPTIONS") {
        c.res = preflight(c, decision, corsMethods);
      } else {
        await next();
        editHeaders(c, (headers) => {
          applyCorsHeaders(headers, decision);
          headers.set("x-request-id", requestId);
        });
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      c.res = onError(error, c);
    }
    logRequest(c, requestId, started);
  };
}

/** The CORS decision of a request: one matcher per rule list, i.e. per configuration (readConfig memoises it per env). */
function corsDecider(): (c: Context<AppEnv>, config: Config) => CorsDecision {
  const matchers = new WeakMap<readonly OriginRule[], OriginMatcher>();
  return (c, config) => {
    const origin = c.req.header("origin");
    // A page served by this Worker (the demo page) calling its own API is same-origin: CORS does not
    // apply, though browsers send Origin on same-origin POSTs (https://fetch.spec.whatwg.org/#origin-header).
    if (origin !== undefined && isOriginOf(origin, c.req.url)) return { kind: "no-origin" };
    const rules = config.allowedOrigins;
    let matcher = matchers.get(rules);
    if (!matcher) matchers.set(rules, (matcher = originMatcher(rules)));
    return matcher(origin);
  };
}

/** The access-log line of a request that ended, if ACCESS_LOG wants one for it. */
function logRequest(c: Context<AppEnv>, requestId: string, started: number): void {
  const aws = c.get("aws") as AwsEdgeClient | undefined;
  const config = c.get("config") as Config | undefined;
  if (!writesAccessLine(config?.accessLog, c.res.status, aws?.stats.calls ?? 0)) return;
  log("info", "request", {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    upstream_calls: aws?.stats.calls ?? 0,
    upstream_retries: aws?.stats.retries ?? 0,
    cache: c.get("cacheStatus") ?? "none",
    duration_ms: Date.now() - started,
  });
}

/**
 * A preflight's 204. An allowed origin always gets its grants: the path's methods and every request
 * header it asks for (grantedRequestHeaders). A method outside them is not refused here but left out
 * of Access-Control-Allow-Methods, so the browser names it in its error ("Method DELETE is not
 * allowed by Access-Control-Allow-Methods"), where an answer without grants would read as a refused
 * origin ("No 'Access-Control-Allow-Origin' header"). The granted headers follow the request's, so
 * a cache must key on them too (Vary).
 */
function preflight(c: Context<AppEnv>, decision: CorsDecision, methods: readonly string[]): Response {
  const allowMethods = methods.join(", ");
  const headers = new Headers({
    allow: allowMethods,
    vary: "Origin, Access-Control-Request-Headers",
    "cache-control": `public, max-age=${CORS_MAX_AGE_SECONDS}`,
    "x-request-id": c.get("requestId"),
  });
  if (decision.kind === "allowed") {
    headers.set("access-control-allow-origin", decision.origin);
    headers.set("access-control-allow-methods", allowMethods);
    const granted = grantedRequestHeaders(c.req.header("access-control-request-headers"));
    if (granted !== null && granted.length > 0) headers.set("access-control-allow-headers", granted.join(", "));
    headers.set("access-control-max-age", String(CORS_MAX_AGE_SECONDS));
  }
  return c.body(null, 204, Object.fromEntries(headers));
}

/** Adds the response-side CORS headers for a decision (also used by onError). */
export function applyCorsHeaders(headers: Headers, decision: CorsDecision | undefined): void {
  appendVary(headers, "Origin");
  if (decision?.kind === "allowed") {
    headers.set("access-control-allow-origin", decision.origin);
    headers.set("access-control-expose-headers", EXPOSE_HEADERS);
  } else {
    headers.delete("access-control-allow-origin");
  }
}

function appendVary(headers: Headers, name: string): void {
  const current = headers.get("vary");
  if (!current) return headers.set("vary", name);
  const names = current.split(",").map((part) => part.trim().toLowerCase());
  if (!names.includes(name.toLowerCase()) && !names.includes("*")) headers.set("vary", `${current}, ${name}`);
}
