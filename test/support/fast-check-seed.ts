/**
 * Property tests run with a fixed seed, so `npm test` is reproducible and CI cannot turn red on a
 * draw nobody can replay. `FAST_CHECK_SEED=<n> npm test` replays a seed; `FAST_CHECK_SEED=random`
 * explores new ones (fast-check prints the seed of any failure).
 */
import fc from "fast-check";

const requested = process.env.FAST_CHECK_SEED;
if (requested !== "random") {
  const seed = requested === undefined || requested === "" ? 20261121 : Number(requested);
  if (!Number.isInteger(seed)) throw new Error(`FAST_CHECK_SEED must be an integer or "random", got "${requested}"`);
  fc.configureGlobal({ seed });
}
