/** job-state configuration, read once at cold start (handler.ts). */
import { DEFAULT_STATUS_TTL_SECONDS } from "../../model/index.ts";
import { type Env, integerSetting, requiredString, tableNames } from "../shared/config.ts";
import type { JobStateConfig } from "./job-state.ts";

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readJobStateConfig(env: Env): JobStateConfig {
  return {
    tables: tableNames(env),
    outputBucket: requiredString(env, "OUTPUT_BUCKET"),
    statusTtlSeconds: integerSetting(env, "STATUS_TTL_SECONDS", DEFAULT_STATUS_TTL_SECONDS, { min: 60 }),
  };
}
