/**
 * The Cloudflare Worker's AWS identity: an IAM user whose only policy reads what the Worker reads and
 * writes what its direct uploads write.
 *
 * Why a user: the Worker signs DynamoDB and S3 requests with aws4fetch and a static key pair
 * (`wrangler secret put AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, worker/config.ts). IAM Roles
 * Anywhere would give short-lived credentials but needs a private CA and a credential exchange the
 * Worker does not do. The access key is created by the operator (`aws iam create-access-key`), never by
 * CloudFormation, so no secret appears in the template, its outputs or the CDK assets.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 *
 * What the Worker does (worker/routes, worker/aws): GetItem on the job and face-analysis tables, Query
 * on the face-analysis ByJobId index, GetObject on HLS output / face results / recordings, and
 * ListObjectsV2 on the recordings bucket. Its one write: direct uploads under the input bucket's
 * upload prefix (presigned PutObject/UploadPart URLs, CreateMultipartUpload, ListParts, Complete,
 * Abort). Nothing else.
 */
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type { CfnElement } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { FACE_ANALYSIS_JOB_INDEX, type TableRole } from "../../model/index.ts";
import { acknowledge, wildcardUnder } from "./nag.ts";

export interface WorkerIdentityProps {
  tables: Record<TableRole, dynamodb.ITable>;
  outputBucket: s3.IBucket;
  recordingsBucket: s3.IBucket;
  /** Direct uploads go to this bucket under `inputPrefix` (the Lambdas' INPUT_PREFIX, "" = whole bucket). */
  inputBucket: s3.IBucket;
  inputPrefix: string;
  /** Recorder prefix without slashes ("" = whole bucket). */
  recordingsPrefix: string;
  userName?: string;
}

/** The IAM user the Worker signs as, with one policy: reads, and uploads under the input prefix. */
export class WorkerIdentity extends Construct {
  readonly user: iam.User;
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: WorkerIdentityProps) {
    super(scope, id);
    const { tables } = props;
    this.user = new iam.User(this, "User", props.userName ? { userName: props.userName } : {});

    const recordingObjects = props.recordingsBucket.arnForObjects(
      props.recordingsPrefix === "" ? "*" : `${props.recordingsPrefix}/*`,
    );
    this.policy = new iam.ManagedPolicy(this, "ReadOnly", {
      description: "media-edge Worker: read job status, keys, face results, HLS output and recordings; sign uploads.",
      statements: [
        new iam.PolicyStatement({
          sid: "ReadRows",
          actions: ["dynamodb:GetItem"],
          // uploadEvents is the Lambdas' idempotency bookkeeping: the Worker never reads it.
          resources: [
            tables.inputFileToJobId.tableArn,
            tables.jobIdToStatus.tableArn,
            tables.jobIdToOutput.tableArn,
            tables.faceAnalysis.tableArn,
          ],
        }),
        new iam.PolicyStatement({
          sid: "FindFaceAnalysisByJobId",
          actions: ["dynamodb:Query"],
          resources: [`${tables.faceAnalysis.tableArn}/index/${FACE_ANALYSIS_JOB_INDEX.name}`],
        }),
        new iam.PolicyStatement({
          sid: "ReadObjects",
          actions: ["s3:GetObject"],
          resources: [props.outputBucket.arnForObjects("*"), recordingObjects],
        }),
        new iam.PolicyStatement({
          sid: "ListForRecordingsAnd404s",
          // The recordings route lists segments. On the output bucket ListBucket is what makes S3
          // answer 404 rather than 403 for a missing object, which the Worker relies on
          // (worker/aws/s3.ts getObject). No s3:prefix condition: GetObject requests carry no prefix,
          // so a conditioned grant would turn those 404s back into 403s.
          // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_Permissions
          actions: ["s3:ListBucket"],
          resources: [props.outputBucket.bucketArn, props.recordingsBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: "DirectUploads",
          // s3:PutObject covers PutObject, CreateMultipartUpload, UploadPart and CompleteMultipartUpload;
          // ListParts is s3:ListMultipartUploadParts. A presigned URL carries the signer's permissions.
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
          actions: ["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
          resources: [props.inputBucket.arnForObjects(`${props.inputPrefix}*`)],
        }),
      ],
    });
    this.user.addManagedPolicy(this.policy);
    const cfn = (bucket: s3.IBucket) => bucket.node.defaultChild as CfnElement;
    acknowledge(
      this.policy,
      wildcardUnder(cfn(props.outputBucket), "/*"),
      "Object ARNs, read only: the Worker serves any job's playlists, segments and results by key.",
    );
    acknowledge(
      this.policy,
      wildcardUnder(cfn(props.inputBucket), `/${props.inputPrefix}*`),
      "Object ARNs, write only: each direct upload gets a new key, all under the configured upload prefix.",
    );
    if (props.recordingsPrefix !== "") {
      acknowledge(
        this.policy,
        wildcardUnder(cfn(props.recordingsBucket), `/${props.recordingsPrefix}/*`),
        "Object ARNs, read only: the recorder's segments, all under the recordings prefix.",
      );
    }
  }
}
