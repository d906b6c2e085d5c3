/**
 * Conditional requests (RFC 9110 §13), evaluated by the Worker against an object's validators
 * (its ETag and Last-Modified) rather than forwarded to S3 blindly: a client's `If-Match` must
 * give the client a 412, not the Worker an S3 error. Pure: headers and validators in, a verdict out.
 * https://www.rfc-editor.org/rfc/rfc9110#section-13
 */

export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

/** What a GET/HEAD answers after the preconditions: go on, 304, or 412. */
export type PreconditionVerdict = "proceed" | "not-modified" | "failed";

const ENTITY_TAG = /(W\/)?"[^"]*"/g;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

function entityTag(value: string | null | undefined): EntityTag | undefined {
  const match = value ? /^(W\/)?("[^"]*")$/.exec(value.trim()) : null;
  return match ? { weak: match[1] !== undefined, opaque: match[2]! } : undefined;
}

/**
 * Whether a list of entity tags (or "*") matches the current one (§8.8.3.2): strong comparison
 * for If-Match (both strong and equal), weak comparison for If-None-Match (equal opaque tags).
 */
function listMatches(field: string, current: string | null | undefined, comparison: "strong" | "weak"): boolean {
  // "*" matches any current representation; the object exists when this is evaluated.
  if (field.trim() === "*") return true;
  const tag = entityTag(current);
  if (tag === undefined) return false;
  for (const candidate of field.match(ENTITY_TAG) ?? []) {
    const other = entityTag(candidate)!;
    if (other.opaque !== tag.opaque) continue;
    if (comparison === "weak" || (!other.weak && !tag.weak)) return true;
  }
  return false;
}

/** An HTTP-date in whole seconds since the epoch, or undefined when absent or invalid (§5.6.7). */
function httpDateSeconds(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? Math.floor(time / 1000) : undefined;
}

/**
 * The preconditions of a GET or HEAD in the order of RFC 9110 §13.2.2: If-Match (else
 * If-Unmodified-Since) false -> 412; If-None-Match (else If-Modified-Since) false -> 304.
 * A date condition is ignored when the date or Last-Modified is missing or invalid (§13.1.3, §13.1.4).
 */
export function evaluatePreconditions(request: Headers, validators: Validators): PreconditionVerdict {
  const lastModified = httpDateSeconds(validators.lastModified);
  const ifMatch = request.get("if-match");
  if (ifMatch !== null) {
    if (!listMatches(ifMatch, validators.etag, "strong")) return "failed";
  } else {
    const since = httpDateSeconds(request.get("if-unmodified-since"));
    if (since !== undefined && lastModified !== undefined && lastModified > since) return "failed";
  }
  const ifNoneMatch = request.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (listMatches(ifNoneMatch, validators.etag, "weak")) return "not-modified";
  } else {
    const since = httpDateSeconds(request.get("if-modified-since"));
    if (since !== undefined && lastModified !== undefined && lastModified <= since) return "not-modified";
  }
  return "proceed";
}

/**
 * Whether a Range request's If-Range holds (§13.1.5): an entity tag must match strongly, a date
 * must equal Last-Modified exactly. Without If-Range the Range applies.
 */
export function ifRangeHolds(request: Headers, validators: Validators): boolean {
  const field = request.get("if-range");
  if (field === null) return true;
  const tag = entityTag(field);
  if (tag !== undefined) return listMatches(field, validators.etag, "strong") && !tag.weak;
  const date = httpDateSeconds(field);
  return date !== undefined && date === httpDateSeconds(validators.lastModified);
}
