/**
 * aws-lambdas/shared/lru-cache.ts against mnemonist's LRUCache, which it replaces in the Lambda
 * bundles: the same random operations (those @aws-sdk/endpoint-cache calls) give the same answers.
 */
import MnemonistLRUCache from "mnemonist/lru-cache.js";
import { describe, expect, it } from "vitest";
import LRUCache from "../../aws-lambdas/shared/lru-cache.ts";

/** A deterministic pseudo-random sequence (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("shared/lru-cache.ts", () => {
  it("answers get, set, has, peek and clear as mnemonist's LRUCache does", () => {
    for (const capacity of [1, 2, 3, 8]) {
      const next = random(capacity);
      const ours = new LRUCache<string, number>(capacity);
      const theirs = new MnemonistLRUCache<string, number>(capacity);
      const trace: unknown[][] = [[], []];
      for (let step = 0; step < 2000; step++) {
        const key = `k${Math.floor(next() * (capacity * 2 + 1))}`;
        const op = Math.floor(next() * 10);
        for (const [index, cache] of [ours, theirs].entries()) {
          if (op < 4) trace[index]!.push(cache.get(key));
          else if (op < 7) cache.set(key, step);
          else if (op < 8) trace[index]!.push(cache.has(key));
          else if (op < 9) trace[index]!.push(cache.peek(key));
          else if (step % 97 === 0) cache.clear();
          trace[index]!.push(cache.size);
        }
      }
      expect(trace[0]).toEqual(trace[1]);
    }
  });

  it("evicts the least recently used key: get marks a key used, peek and has do not", () => {
    const cache = new LRUCache<string, number>(2);
    cache.set("a", 1).set("b", 2);
    cache.peek("a");
    cache.has("a");
    cache.set("c", 3); // "a" was least recently used
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([false, true, true]);
    cache.get("b");
    cache.set("d", 4); // now "c" is
    expect([cache.has("b"), cache.has("c"), cache.has("d")]).toEqual([true, false, true]);
  });
});
