/** webhook-deliver configuration, read once at cold start (handler.ts). */
import { lambdaDefault } from "../../model/settings.ts";
import { webhookSecretBytes } from "../../model/webhooks.ts";
import { ConfigError, type Env, integerSetting, lambdaSettings } from "../shared/config.ts";

/** Everything webhook-deliver needs that is not in the message. */
export interface WebhookDeliverConfig {
  /** The queue the messages come from (for ChangeMessageVisibility). */
  queueUrl: string;
  /** Time a receiver has to answer, ms. */
  timeoutMs: number;
  /** `WEBHOOK_SECRET_ARN`: the secrets live in Secrets Manager. */
  secretArn?: string;
  /** Else `WEBHOOK_SECRET` (+ `WEBHOOK_SECRET_PREVIOUS`), newest first. */
  secrets?: string[];
}

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable (never its value). */
export function readWebhookDeliverConfig(env: Env): WebhookDeliverConfig {
  const read = lambdaSettings(env);
  const config: WebhookDeliverConfig = {
    queueUrl: read.required("WEBHOOK_QUEUE_URL"),
    timeoutMs: readWebhookTimeoutMs(env),
  };
  const arn = read.text("WEBHOOK_SECRET_ARN");
  if (arn) return { ...config, secretArn: arn };
  const secrets = readWebhookSecrets(env);
  if (secrets.length === 0) throw new ConfigError("WEBHOOK_SECRET", "is missing: set it or WEBHOOK_SECRET_ARN.");
  return { ...config, secrets };
}

/** `WEBHOOK_TIMEOUT_MS`, checked (also read by the local stack). */
export function readWebhookTimeoutMs(env: Env): number {
  return integerSetting(env, "WEBHOOK_TIMEOUT_MS", lambdaDefault("WEBHOOK_TIMEOUT_MS"), { min: 100, max: 60_000 });
}

/**
 * `WEBHOOK_SECRET` (+ `WEBHOOK_SECRET_PREVIOUS`), newest first, each checked; [] when unset. Also read by
 * the local stack (local/start.ts), so that a malformed one fails at start, not at the first delivery.
 */
export function readWebhookSecrets(env: Env): string[] {
  const read = lambdaSettings(env);
  const secrets: string[] = [];
  for (const name of ["WEBHOOK_SECRET", "WEBHOOK_SECRET_PREVIOUS"] as const) {
    const secret = read.text(name);
    if (secret === undefined) continue;
    try {
      webhookSecretBytes(secret);
    } catch (error) {
      throw new ConfigError(name, (error as Error).message.replace(/^A webhook secret /, ""));
    }
    secrets.push(secret);
  }
  return secrets;
}
