/**
 * The app's router: hono's PatternRouter (hono/tiny's, ~2.5 KiB gzip smaller than the default
 * SmartRouter) with its answers remembered per method and path.
 */
import { PatternRouter } from "hono/router/pattern-router";
import type { Result, Router } from "hono/router";

/** Distinct method + path pairs remembered; beyond it the memory starts over (bounded, like the origin decisions). */
const REMEMBERED_PATHS = 256;
/**
 * Longest path remembered: the app's own paths are far shorter, and a client's path can be ~16 KB
 * (the URL limit), so the memory stays a few tens of KB whatever clients send.
 */
const REMEMBERED_PATH_LENGTH = 256;

/**
 * PatternRouter tries every route's regular expression on every request (it collects each
 * matching middleware and handler, in order). Its answer depends on the method and path alone and
 * hono only reads it, so it is kept: a status poll, which asks for the same path again and again,
 * then costs one Map lookup instead of about 20 RegExp execs.
 */
export class RememberingRouter<T> implements Router<T> {
  readonly name = "RememberingRouter";
  readonly #router = new PatternRouter<T>();
  readonly #answers = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#answers.clear();
    this.#router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      answer = this.#router.match(method, path);
      if (path.length > REMEMBERED_PATH_LENGTH) return answer;
      if (this.#answers.size >= REMEMBERED_PATHS) this.#answers.clear();
      this.#answers.set(key, answer);
    }
    return answer;
  }
}
