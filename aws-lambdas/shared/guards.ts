/** Type guards for parsing untrusted event payloads and telling AWS errors apart. Pure: no SDK import. */

/** A plain object (not null, not an array): safe to read properties of. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The error name DynamoDB uses when a condition expression is false (`ConditionalCheckFailedException`). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}
