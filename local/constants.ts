/**
 * Facts of the local stack only (no deployed runtime reads them), free of imports so the Worker
 * tests running inside workerd can use them too. local/defaults.ts builds the settings from them.
 */

/**
 * Credentials the local S3 server (s3rver) accepts. DynamoDB Local accepts anything.
 * Not secrets: they only ever reach 127.0.0.1.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** Local stack ports (DYNAMODB_PORT, S3_PORT, WORKER_PORT, EMULATOR_PORT override; local/defaults.ts). */
export const DEFAULT_LOCAL_PORTS = { dynamodb: 8000, s3: 4568, worker: 8787, emulators: 4569 } as const;
