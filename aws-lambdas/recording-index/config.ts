/** recording-index configuration, read once at cold start (handler.ts). */
import { RECORDING_SEGMENT_SECONDS_BOUNDS } from "../../model/index.ts";
import { lambdaDefault } from "../../model/settings.ts";
import { type Env, integerSetting, lambdaSettings } from "../shared/config.ts";

export interface RecordingIndexConfig {
  /** Folder of the recorder's segments ("" = the bucket root, else ending in "/"). */
  recordingsFolder: string;
  segmentSeconds: number;
}

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readRecordingIndexConfig(env: Env): RecordingIndexConfig {
  const prefix = lambdaSettings(env).prefix("RECORDINGS_PREFIX", lambdaDefault("RECORDINGS_PREFIX"));
  return {
    recordingsFolder: prefix === "" ? "" : `${prefix}/`,
    // The same bounds as the Worker's reader (worker/config.ts): both must agree on when an hour settles.
    segmentSeconds: integerSetting(
      env,
      "RECORDING_SEGMENT_SECONDS",
      lambdaDefault("RECORDING_SEGMENT_SECONDS"),
      RECORDING_SEGMENT_SECONDS_BOUNDS,
    ),
  };
}
