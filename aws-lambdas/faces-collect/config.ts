/**
 * faces-collect configuration: read once at cold start (handler.ts) from the environment; a missing or
 * malformed variable fails the cold start with a ConfigError naming it.
 */
import type { TableRole } from "../../model/index.ts";
import { lambdaDefault } from "../../model/settings.ts";
import { ConfigError, type Env, integerSetting, optionalUrl, tableNames } from "../shared/config.ts";
import { analysisBucketSetting, analysisPrefixSetting, faceRowTtlSetting } from "../shared/face-analysis.ts";

/** GetFaceDetection's page size limit (and default). https://docs.aws.amazon.com/rekognition/latest/APIReference/API_GetFaceDetection.html */
export const MAX_FACES_PER_PAGE = 1000;

/** Everything faces-collect needs that is not in the event. */
export interface FacesCollectConfig {
  tables: Record<TableRole, string>;
  /** `REKOGNITION_ENDPOINT_URL`; unset = the SDK's regional endpoint. */
  rekognitionEndpoint?: string;
  /** Bucket the results are written to (private). */
  analysisBucket: string;
  /** Key prefix of the results, "" or ending in "/". */
  analysisPrefix: string;
  /** Most faces per chunk file (1-1000): smaller chunks mean less work per Worker page, more files. */
  chunkSize: number;
  /** Stop paging when less than this much of the invocation is left (ms), then continue on the retry. */
  reserveMs: number;
  /** Lifetime of the analysis row, seconds; 0 = no expiry. */
  rowTtlSeconds: number;
}

/** Reads and validates the configuration; throws `ConfigError` naming the first bad variable. */
export function readFacesCollectConfig(env: Env): FacesCollectConfig {
  const analysisBucket = analysisBucketSetting(env);
  if (!analysisBucket) {
    throw new ConfigError("ANALYSIS_BUCKET", "is required but not set (nor is OUTPUT_BUCKET, its default).");
  }
  const config: FacesCollectConfig = {
    tables: tableNames(env),
    analysisBucket,
    analysisPrefix: analysisPrefixSetting(env),
    chunkSize: integerSetting(env, "FACES_CHUNK_SIZE", MAX_FACES_PER_PAGE, { min: 1, max: MAX_FACES_PER_PAGE }),
    reserveMs: integerSetting(env, "FACES_COLLECT_RESERVE_MS", lambdaDefault("FACES_COLLECT_RESERVE_MS"), {
      min: 1000,
      max: 600_000,
    }),
    rowTtlSeconds: faceRowTtlSetting(env),
  };
  const endpoint = optionalUrl(env, "REKOGNITION_ENDPOINT_URL");
  if (endpoint) config.rekognitionEndpoint = endpoint;
  return config;
}
