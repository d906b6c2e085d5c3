/**
 * Data: the three buckets and the five tables. Names, keys, the face-analysis index and the TTL
 * attribute come from the shared model (model/index.ts), the same definitions the local stack uses
 * (local/aws.ts `tableDefinition`), so AWS and `npm start` cannot drift apart.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import {
  DEFAULT_TABLES,
  FACE_ANALYSIS_JOB_INDEX,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  type TableRole,
} from "../../model/index.ts";
import { acknowledge } from "./nag.ts";
import type { MediaEdgeSettings } from "./settings.ts";

/** What the stack's data (buckets, tables, log groups) becomes when the stack is deleted. */
export function removalPolicyOf(settings: MediaEdgeSettings): RemovalPolicy {
  return settings.removalPolicy === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** The recordings' expiry rule, when the operator chose a retention (recordingsRetentionDays > 0). */
function recordingsExpiry(settings: MediaEdgeSettings): s3.LifecycleRule[] {
  if (settings.recordingsRetentionDays === 0) return [];
  return [
    {
      id: "expire-recordings",
      // The bucket's root: the whole bucket, which holds nothing but recordings.
      ...(settings.recordingsPrefix === "" ? {} : { prefix: `${settings.recordingsPrefix}/` }),
      expiration: Duration.days(settings.recordingsRetentionDays),
    },
  ];
}

/** Buckets and tables of one deployment. */
export class Storage extends Construct {
  /** Uploads; every object created here is transcoded and analysed. */
  readonly inputBucket: s3.Bucket;
  /** MediaConvert's HLS output, info.json, and face results under the analysis prefix. */
  readonly outputBucket: s3.Bucket;
  /** The recorder's segments under `<recordingsPrefix>/`. */
  readonly recordingsBucket: s3.Bucket;
  readonly tables: Record<TableRole, dynamodb.ITable>;

  constructor(scope: Construct, id: string, settings: MediaEdgeSettings) {
    super(scope, id);
    const removalPolicy = removalPolicyOf(settings);
    // Parts of an upload nobody completes are billed as storage until aborted.
    const abortIncompleteUploads: s3.LifecycleRule = {
      id: "abort-incomplete-uploads",
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    };

    // Shared by every bucket: private, SSE-S3, TLS only, no ACLs. SSE-S3 rather than SSE-KMS because
    // MediaConvert and Rekognition read with their own roles/the caller's credentials, and a KMS key
    // would need grants for each; the content is protected by AES-128 and IAM, not by the S3 key.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
    const common: s3.BucketProps = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };

    this.inputBucket = new s3.Bucket(this, "Input", {
      ...common,
      ...(settings.bucketNames.input ? { bucketName: settings.bucketNames.input } : {}),
      // Object Created events go to EventBridge, where one rule per consumer (submit-job, faces-start)
      // matches them. S3's own notifications cannot: two configurations whose prefix/suffix filters
      // overlap for the same event type are rejected.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
      eventBridgeEnabled: true,
      lifecycleRules: [abortIncompleteUploads],
      // Browsers PUT uploads (whole files or parts) straight to presigned URLs the Worker signs. The page
      // reads each part's ETag for CompleteMultipartUpload, so ETag is exposed.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
      ...(settings.allowedOrigins.length > 0
        ? {
            cors: [
              {
                id: "direct-uploads",
                allowedMethods: [s3.HttpMethods.PUT],
                allowedOrigins: settings.allowedOrigins,
                allowedHeaders: ["content-type"],
                exposedHeaders: ["ETag"],
                maxAge: 3000,
              },
            ],
          }
        : {}),
    });

    this.outputBucket = new s3.Bucket(this, "Output", {
      ...common,
      ...(settings.bucketNames.output ? { bucketName: settings.bucketNames.output } : {}),
      lifecycleRules: [
        ...(settings.analysisRetentionDays > 0
          ? [
              {
                // faces-collect writes results here but nothing deletes them; their analysis row
                // expires after DEFAULT_FACE_ANALYSIS_TTL_SECONDS and then nothing can find them.
                id: "expire-face-results",
                prefix: settings.analysisPrefix,
                expiration: Duration.days(settings.analysisRetentionDays),
              },
            ]
          : []),
        // MediaConvert may upload large segments in parts; the parts of a failed job are billed as
        // storage until aborted. https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html
        abortIncompleteUploads,
      ],
    });

    // The recorder's archive: kept until deleted (recordingsRetentionDays 0, the default), or for the
    // days the operator chooses. The recording indexer follows the expirations
    // (infra/lib/recording-index.ts), so an expired segment leaves the index the Worker reads; the
    // index objects under the same prefix expire too, that many days after their last rewrite.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
    this.recordingsBucket = new s3.Bucket(this, "Recordings", {
      ...common,
      ...(settings.bucketNames.recordings ? { bucketName: settings.bucketNames.recordings } : {}),
      lifecycleRules: [...recordingsExpiry(settings), abortIncompleteUploads],
    });

    for (const bucket of [this.inputBucket, this.outputBucket, this.recordingsBucket]) {
      acknowledge(
        bucket,
        "S1",
        "No server access logs: they are best-effort, and on the output bucket would log every segment read " +
          "of every playback. Object-level audit, when needed, is CloudTrail data events (docs/deploy.md). " +
          "https://docs.aws.amazon.com/AmazonS3/latest/userguide/logging-with-S3.html",
      );
    }

    const tables = {} as Record<TableRole, dynamodb.ITable>;
    for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
      tables[role] = settings.existingTables.includes(role)
        ? dynamodb.Table.fromTableAttributes(this, `Existing-${role}`, {
            tableName: settings.tables[role],
            grantIndexPermissions: role === "faceAnalysis",
          })
        : createTable(this, role, settings.tables[role], removalPolicy);
    }
    this.tables = tables;
  }
}

/** One table as the model defines it (compare local/aws.ts `tableDefinition`). */
function createTable(scope: Construct, role: TableRole, tableName: string, removalPolicy: RemovalPolicy) {
  const table = new dynamodb.Table(scope, `Table-${role}`, {
    tableName,
    partitionKey: { name: TABLE_KEYS[role], type: dynamodb.AttributeType.STRING },
    // On-demand: traffic follows uploads and playback, which are bursty and small.
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    // Readers treat `ExpirationTime <= now` as absent; DynamoDB deletes up to ~2 days later.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html
    timeToLiveAttribute: TTL_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
  });
  if (role === "faceAnalysis") {
    // The Worker's faces route answers `?job_id=` (the Rekognition job id) through this index.
    table.addGlobalSecondaryIndex({
      indexName: FACE_ANALYSIS_JOB_INDEX.name,
      partitionKey: { name: FACE_ANALYSIS_JOB_INDEX.key, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  return table;
}
