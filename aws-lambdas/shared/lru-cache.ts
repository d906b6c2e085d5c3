/**
 * The least-recently-used cache that @aws-sdk/endpoint-cache needs, in place of `mnemonist/lru-cache`
 * in the Lambda bundles (aws-lambdas/build-plugins.ts): the DynamoDB client builds one per client for
 * endpoint discovery, and mnemonist's cache with its iterator helpers (obliterator) was 7 KiB of each
 * bundle. Only what EndpointCache calls is here: `new LRUCache(capacity)`, get, set, has, peek, clear.
 * test/unit/lru-cache.test.ts runs the same operations on both and compares.
 *
 * A Map keeps insertion order, so its first key is the least recently used one: `get` and `set`
 * re-insert the key to mark it used; `has` and `peek` leave the order alone, as mnemonist's do.
 */
export default class LRUCache<K, V> {
  private readonly items = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new Error("LRUCache: capacity must be a positive number.");
  }

  get size(): number {
    return this.items.size;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  peek(key: K): V | undefined {
    return this.items.get(key);
  }

  get(key: K): V | undefined {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key)!;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.items.delete(key);
    if (this.items.size >= this.capacity) this.items.delete(this.items.keys().next().value!);
    this.items.set(key, value);
    return this;
  }

  clear(): void {
    this.items.clear();
  }
}
