/**
 * The one settings reader of every runtime: the Worker's bindings, a Lambda's environment and the CDK
 * context all go through these rules, so a value one runtime accepts is never refused (or read
 * differently) by another. Each runtime passes how to read a name and how to fail (its own error class,
 * naming the variable or context key); the rules and messages live here.
 *
 * Rules chosen where the three former validators had drifted apart:
 * - integers are whole, non-negative decimal numbers within explicit bounds (no setting is negative;
 *   the Lambdas alone used to accept "-5" and then refuse it by bound);
 * - prefixes refuse control characters, `*` and `?` (IAM and lifecycle patterns read them as
 *   wildcards) and "." / ".." segments (URL handling collapses them), and lose leading and trailing
 *   "/", as infra already required;
 * - values may be strings or numbers (CDK context and wrangler [vars] can hold JSON numbers), trimmed;
 *   blank means unset;
 * - a secret's value never appears in a message.
 *
 * No `node:` imports: it loads in workerd and in Node.
 */
import { isSecretSetting } from "./settings.ts";

/** Reads the raw value of one setting (a binding, an environment variable, a context key). */
export type SettingGetter<N extends string> = (name: N) => unknown;
/** Builds the runtime's own error for a setting and a problem ("must be ...", "is missing: ..."). */
export type SettingFailure<N extends string> = (name: N, problem: string) => Error;

/** Inclusive bounds of an integer setting. */
export interface IntegerBounds {
  min: number;
  max?: number;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const PREFIX_FORBIDDEN = /[\u0000-\u001f\u007f*?]/;

/** The typed reader one runtime uses; `N` is the set of names that runtime may read. */
export interface SettingsReader<N extends string> {
  /** Trimmed text, or undefined when unset or blank. */
  text(name: N): string | undefined;
  /** Trimmed text that must be set; `hint` says how to set it. */
  required(name: N, hint?: string): string;
  /** A whole number within `bounds`, or `fallback` when unset. */
  integer(name: N, fallback: number, bounds: IntegerBounds): number;
  /** An absolute http(s) URL without trailing "/", or undefined when unset. */
  url(name: N): string | undefined;
  /** An S3 bucket name, or `fallback` (undefined: stays unset). */
  bucket(name: N, fallback?: string): string | undefined;
  /** A DynamoDB table name, or `fallback` when unset. */
  table(name: N, fallback: string): string;
  /** A plain S3 key prefix without leading or trailing "/" ("" = the bucket root). */
  prefix(name: N, fallback: string): string;
  /** Items separated by commas and/or whitespace, blanks dropped; `fallback` when unset. */
  list(name: N, fallback: readonly string[]): string[];
  /** One of `allowed` (exact), or `fallback` when unset. */
  oneOf<T extends string>(name: N, allowed: readonly T[], fallback: T): T;
}

/** A reader over `get` that reports problems through `fail`. */
export function settingsReader<N extends string>(get: SettingGetter<N>, fail: SettingFailure<N>): SettingsReader<N> {
  return settingsReaderWith(get, fail, isSecretSetting);
}

/**
 * The same reader, told by `isSecret` which of its names are secrets. The Worker passes
 * isSecretWorkerSetting and the Lambdas isSecretLambdaSetting, so that their bundles carry only their own
 * parts of the registry (issue 12).
 */
export function settingsReaderWith<N extends string>(
  get: SettingGetter<N>,
  fail: SettingFailure<N>,
  isSecret: (name: N) => boolean,
): SettingsReader<N> {
  const shown = (name: N, value: string | number) => (isSecret(name) ? "(hidden)" : JSON.stringify(value));

  const text = (name: N): string | undefined => {
    const value = get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value !== "string") throw fail(name, "must be a string.");
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  };

  return {
    text,
    required(name, hint) {
      const value = text(name);
      if (value === undefined) throw fail(name, hint ? `is missing: ${hint}` : "is required but not set.");
      return value;
    },
    integer(name, fallback, { min, max = Number.MAX_SAFE_INTEGER }) {
      const raw = text(name);
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw)) throw fail(name, `must be a whole number, got ${shown(name, raw)}.`);
      const value = Number(raw);
      if (value < min || value > max) throw fail(name, `must be between ${min} and ${max}, got ${value}.`);
      return value;
    },
    url(name) {
      const raw = text(name);
      if (raw === undefined) return undefined;
      if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
        throw fail(name, `must be an absolute http(s) URL, got ${shown(name, raw)}.`);
      }
      return raw.replace(/\/+$/, "");
    },
    bucket(name, fallback) {
      const value = text(name) ?? fallback;
      if (value !== undefined && !BUCKET_NAME.test(value)) {
        throw fail(name, `is not a valid S3 bucket name: ${shown(name, value)}.`);
      }
      return value;
    },
    table(name, fallback) {
      const value = text(name) ?? fallback;
      if (!TABLE_NAME.test(value)) throw fail(name, `is not a valid table name: ${shown(name, value)}.`);
      return value;
    },
    prefix(name, fallback) {
      const value = text(name) ?? fallback;
      if (PREFIX_FORBIDDEN.test(value) || value.split("/").some((part) => part === "." || part === "..")) {
        throw fail(name, `must be a plain S3 key prefix, got ${shown(name, value)}.`);
      }
      return value.replace(/^\/+|\/+$/g, "");
    },
    list(name, fallback) {
      const raw = text(name);
      if (raw === undefined) return [...fallback];
      return raw.split(/[\s,]+/).filter((item) => item !== "");
    },
    oneOf(name, allowed, fallback) {
      const value = text(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw fail(
          name,
          `must be ${allowed.map((item) => JSON.stringify(item)).join(" or ")}, got ${shown(name, value)}.`,
        );
      }
      return value as (typeof allowed)[number];
    },
  };
}

/** A prefix as a folder: "" stays "" (the bucket's root), anything else ends in "/". */
export function folderPrefix(value: string): string {
  return value === "" ? "" : `${value}/`;
}
