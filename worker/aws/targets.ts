/**
 * The row reads every route shares: a table's row by its role's partition key, or a face analysis
 * row by its Rekognition job id, decoded against the model's item types (rows.ts).
 */
import { FACE_ANALYSIS_JOB_INDEX, TABLE_KEYS } from "../../model/index.ts";
import type { AwsEdgeClient } from "./client.ts";
import { getItem, queryByKey } from "./dynamodb.ts";
import { decodeRow, type FaceAnalysisRow, type ReadRole, type Rows } from "./rows.ts";

/** The `role` row in `table` whose partition key is `keyValue`, or undefined when there is none (or it expired). */
export async function getRow<R extends ReadRole>(
  aws: AwsEdgeClient,
  role: R,
  table: string,
  keyValue: string,
): Promise<Rows[R] | undefined> {
  const item = await getItem(aws, { table, keyName: TABLE_KEYS[role], keyValue });
  return item === undefined ? undefined : decodeRow(role, item, table);
}

/** The face analysis row of a Rekognition job (the ByJobId index), or undefined. */
export async function getFaceAnalysisByJobId(
  aws: AwsEdgeClient,
  table: string,
  jobId: string,
): Promise<FaceAnalysisRow | undefined> {
  const items = await queryByKey(aws, {
    table,
    indexName: FACE_ANALYSIS_JOB_INDEX.name,
    keyName: FACE_ANALYSIS_JOB_INDEX.key,
    keyValue: jobId,
    limit: 1,
  });
  return items[0] === undefined ? undefined : decodeRow("faceAnalysis", items[0], table);
}
