/**
 * The signing secrets from Secrets Manager, cached at module scope for a few minutes: one GetSecretValue
 * per warm container and TTL, and a rotation reaches every container within the TTL.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html
 *
 * The SecretString holds one or two `whsec_` secrets separated by whitespace, newest first. During a
 * rotation both are set: every delivery carries both signatures, so receivers can switch at their pace.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { webhookSecretBytes } from "../../model/webhooks.ts";

/** How long fetched secrets are reused. */
export const SECRET_CACHE_TTL_MS = 5 * 60_000;

/** The secrets in a SecretString, newest first; throws without echoing them when one is malformed. */
export function parseWebhookSecrets(secretString: string | undefined): string[] {
  const secrets = (secretString ?? "").split(/\s+/).filter((part) => part !== "");
  if (secrets.length === 0 || secrets.length > 2) {
    throw new Error("The webhook secret must hold one or two whsec_ secrets, newest first.");
  }
  for (const secret of secrets) webhookSecretBytes(secret);
  return secrets;
}

/** A cached reader of the secret `arn`: fetches again once `ttlMs` has passed by `now()`. */
export function cachedSecrets(
  client: Pick<SecretsManagerClient, "send">,
  arn: string,
  now: () => number = Date.now,
  ttlMs: number = SECRET_CACHE_TTL_MS,
): () => Promise<string[]> {
  let cached: { secrets: string[]; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.secrets;
    const value = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    cached = { secrets: parseWebhookSecrets(value.SecretString), at: now() };
    return cached.secrets;
  };
}
