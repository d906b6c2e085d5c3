/**
 * A handler whose code is loaded on the first event rather than at cold start.
 *
 * Lambda runs a function module's top level in its Init phase, before the first event
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib).
 * The handler modules keep there only what must fail the cold start when wrong (configuration, read
 * with ConfigError) and the logger; the handler logic and the AWS SDK clients, most of each bundle,
 * are a separate chunk (esbuild code splitting, aws-lambdas/build.ts) imported by the first
 * invocation. The cost moves rather than disappears: the first event pays for loading the chunk once
 * (bench/lambdas.ts reports both figures); every later event in the same container reuses it.
 */

/** Wraps `load` (called at most once while it succeeds; again after a failed load) as a handler. */
export function lazyHandler<Args extends unknown[], Result>(
  load: () => Promise<(...args: Args) => Promise<Result>>,
): (...args: Args) => Promise<Result> {
  let loading: Promise<(...args: Args) => Promise<Result>> | undefined;
  return async (...args) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const handle = await loading;
    return handle(...args);
  };
}
