/**
 * The recorder archive's day indexes (docs/recording-index.md): the recording-index Lambda on the
 * recordings bucket's ObjectCreated, ObjectRemoved and LifecycleExpiration notifications for
 * segments (`<prefix>/**.ts`), allowed to list
 * the bucket under the prefix and to read and write the index objects (`*~index/*`) only.
 *
 * An S3 notification rather than an EventBridge rule: the recordings bucket has no other consumer
 * of its events, and a prefix + suffix filter keeps the index writes (`.txt`) from triggering it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
 */
import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import type { Construct } from "constructs";
import { INDEX_FOLDER } from "../../worker/hls/recording-index.ts";
import { acknowledge, wildcardUnder } from "./nag.ts";
import { PipelineFunction, type PipelineFunctionProps } from "./pipeline-function.ts";

export interface RecordingIndexProps {
  common: Pick<PipelineFunctionProps, "lambdasDir" | "logRetentionDays" | "logRemovalPolicy">;
  recordingsBucket: s3.Bucket;
  /** RECORDINGS_PREFIX ("" = the bucket root). */
  recordingsPrefix: string;
  segmentSeconds: number;
}

/** The indexer, its trigger and its permissions. */
export function recordingIndexFunction(scope: Construct, props: RecordingIndexProps): PipelineFunction {
  const { recordingsBucket, recordingsPrefix } = props;
  const folder = recordingsPrefix === "" ? "" : `${recordingsPrefix}/`;
  const indexer = new PipelineFunction(scope, "RecordingIndex", {
    ...props.common,
    name: "recording-index",
    description: "Recorder segment created -> rebuild its stream's day index (one GET per day for the Worker).",
    // Lists a day (about 3 pages) and writes 58 KB: small and short.
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: {
      RECORDINGS_PREFIX: recordingsPrefix,
      RECORDING_SEGMENT_SECONDS: String(props.segmentSeconds),
    },
  });
  // New segments, and segments that are gone: deleted (by hand, or a delete marker in a versioned
  // bucket) or expired by a lifecycle rule, which emits LifecycleExpiration rather than
  // ObjectRemoved. An index that kept a gone segment would send players to it.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
  const destination = new s3n.LambdaDestination(indexer.function);
  for (const event of [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED, s3.EventType.LIFECYCLE_EXPIRATION]) {
    recordingsBucket.addEventNotification(event, destination, { ...(folder ? { prefix: folder } : {}), suffix: ".ts" });
  }
  indexer.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "ListRecordings",
      // ListObjectsV2 of a stream's day. Also what makes S3 answer 404 rather than 403 to the
      // HeadObject of a day that has no index yet, which the rebuild relies on
      // (aws-lambdas/recording-index/recording-index.ts currentETag). No s3:prefix condition: a
      // HeadObject request carries no prefix, so a conditioned grant would turn that 404 into a 403
      // and fail the first segment of every new day.
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html#API_HeadObject_Permissions
      actions: ["s3:ListBucket"],
      resources: [recordingsBucket.bucketArn],
    }),
  );
  // HeadObject (the ETag the conditional write needs) is s3:GetObject.
  const indexObjects = `${folder}*${INDEX_FOLDER}*`;
  indexer.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "ReadWriteDayIndexes",
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: [recordingsBucket.arnForObjects(indexObjects)],
    }),
  );
  acknowledge(
    indexer,
    wildcardUnder(recordingsBucket.node.defaultChild as s3.CfnBucket, `/${indexObjects}`),
    "Object ARNs: the index folder of every stream, whose names are the recorders'.",
  );
  return indexer;
}
