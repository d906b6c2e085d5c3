/** job-state configuration, read once at cold start (handler.ts). */
import { type Env, requiredString, statusTtlSetting, tableNames } from "../shared/config.ts";
import type { JobStateConfig } from "./job-state.ts";

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readJobStateConfig(env: Env): JobStateConfig {
  return {
    tables: tableNames(env),
    outputBucket: requiredString(env, "OUTPUT_BUCKET"),
    statusTtlSeconds: statusTtlSetting(env),
  };
}
