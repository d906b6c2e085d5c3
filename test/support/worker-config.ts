/**
 * The fewest bindings worker/config.ts accepts (test values, not secrets), and a config read from
 * them, for tests of pure Worker code that takes a Config.
 */
import { ConfigError, readConfig, type Config } from "../../worker/config.ts";

export const MINIMAL_BINDINGS = {
  ALLOWED_ORIGINS: "https://app.example.com",
  AWS_ACCESS_KEY_ID: "AKID",
  AWS_SECRET_ACCESS_KEY: "secret",
  TOKEN_SECRET: "x".repeat(32),
};

/** readConfig of MINIMAL_BINDINGS with `overrides`; throws the ConfigError instead of returning it. */
export function configWith(overrides: Record<string, string> = {}): Config {
  const config = readConfig({ ...MINIMAL_BINDINGS, ...overrides });
  if (config instanceof ConfigError) throw config;
  return config;
}
