/**
 * Query parameters of the seed-compatible endpoints, read exactly as the seed read them
 * (`urllib.parse.parse_qs` defaults, first value wins), then checked before any AWS call.
 */
import { MAX_PARTITION_KEY_BYTES } from "../../model/index.ts";
import { ApiError, SEED_MESSAGES } from "./errors.ts";
import { pythonParseQs, rawQuery } from "./python-compat.ts";

/** C0 and C1 controls and DEL: never part of a file name or job id we issue, and they break logs. */
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const utf8 = new TextEncoder();

/**
 * The value of a required parameter, with the seed's answers for absent ones:
 * no parameters at all -> 400 "Not found parameter.", this one absent -> 400 "Not found parameter
 * <name>.", empty -> 422 "Not exist parameter <name>." (kept as the seed wrote it, though parse_qs
 * drops blank values, so an empty one reads as absent: 400, there and here). Beyond the seed
 * (which passed such values to DynamoDB and crashed into a CloudFront error page): longer than a
 * DynamoDB key, or containing control characters -> 422 "Invalid parameter <name>." with a reason.
 */
export function seedKeyParameter(url: string, name: string): string {
  const query = pythonParseQs(rawQuery(url));
  if (query.size === 0) throw new ApiError(400, SEED_MESSAGES.noParameters);
  const value = query.get(name)?.[0];
  if (value === undefined) throw new ApiError(400, SEED_MESSAGES.missingParameter(name));
  if (value === "") throw new ApiError(422, SEED_MESSAGES.emptyParameter(name));
  return checkKeyValue(name, value);
}

/** Checks a value used as a DynamoDB string key: size limit and no control characters. */
export function checkKeyValue(name: string, value: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: a value this short needs no encoding to pass.
  if (value.length * 3 > MAX_PARTITION_KEY_BYTES && utf8.encode(value).length > MAX_PARTITION_KEY_BYTES) {
    throw new ApiError(422, `Invalid parameter ${name}.`, {
      details: { reason: `longer than ${MAX_PARTITION_KEY_BYTES} bytes` },
    });
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new ApiError(422, `Invalid parameter ${name}.`, { details: { reason: "contains control characters" } });
  }
  return value;
}
