/** Type guards for parsing untrusted event payloads. Pure. */

/** A plain object (not null, not an array): safe to read properties of. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
