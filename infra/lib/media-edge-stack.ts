/**
 * Everything media-edge runs on AWS: the buckets and tables, the six Lambdas with their triggers,
 * MediaConvert's and Rekognition's service roles, and the identity of the Cloudflare Worker (reads,
 * and the writes of direct uploads under the input prefix).
 *
 *   upload -> input bucket -> EventBridge "Object Created" -+-> submit-job  -> MediaConvert CreateJob
 *                                                           +-> faces-start -> Rekognition StartFaceDetection
 *   MediaConvert -> EventBridge "Job State Change" -> job-state     -> status rows, info.json
 *   Rekognition  -> SNS topic                      -> faces-collect -> face results, analysis row
 *   job-state, faces-collect -> SQS FIFO -> webhook-deliver -> signed POSTs (infra/lib/webhooks.ts)
 *   recordings bucket -> S3 notifications -> recording-index -> index objects (infra/lib/recording-index.ts)
 *   Worker (Cloudflare) -> IAM user -> reads tables, output and recordings buckets; presigns uploads
 *
 * IAM follows aws-solutions/video-on-demand-on-aws: explicit statements scoped to this stack's
 * resources, `iam:PassRole` only on the one role each caller hands to a service.
 */
import { Aws, CfnOutput, Duration, Stack, type RemovalPolicy, type StackProps } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as mediaconvert from "aws-cdk-lib/aws-mediaconvert";
import type * as s3 from "aws-cdk-lib/aws-s3";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { DEFAULT_TABLES, INFO_FILE, JOB_CREATED_BY, TABLE_ENV_VARS, type TableRole } from "../../model/index.ts";
import { hlsJobTemplateSettings } from "./hls-job-template.ts";
import { acknowledge, wildcardUnder } from "./nag.ts";
import { PipelineFunction } from "./pipeline-function.ts";
import { recordingIndexFunction } from "./recording-index.ts";
import type { MediaEdgeSettings } from "./settings.ts";
import { Storage, removalPolicyOf } from "./storage.ts";
import { Webhooks } from "./webhooks.ts";
import { WorkerIdentity } from "./worker-identity.ts";
import { inputKeysOutput, tableOutputId } from "./worker-vars.ts";

export interface MediaEdgeStackProps extends StackProps {
  settings: MediaEdgeSettings;
  /** Folder with the esbuild bundles, `<name>/index.mjs` (repo `dist/lambdas` by default). */
  lambdasDir: string;
}

/** The names of the functions, as folders of aws-lambdas/ and dist/lambdas/. */
export const FUNCTION_NAMES = [
  "submit-job",
  "job-state",
  "faces-start",
  "faces-collect",
  "webhook-deliver",
  "recording-index",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export class MediaEdgeStack extends Stack {
  readonly storage: Storage;
  readonly functions: Record<FunctionName, PipelineFunction>;
  readonly mediaConvertRole: iam.Role;
  readonly rekognitionRole: iam.Role;
  readonly rekognitionTopic: sns.Topic;
  readonly worker: WorkerIdentity;
  readonly webhooks: Webhooks;

  constructor(scope: Construct, id: string, props: MediaEdgeStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const storage = (this.storage = new Storage(this, "Storage", settings));
    const { inputBucket, outputBucket, recordingsBucket, tables } = storage;
    acknowledgeBucketNotificationsHandler(this);

    const mediaConvert = mediaConvertResources(this, settings, storage);
    this.mediaConvertRole = mediaConvert.role;
    const rekognition = rekognitionResources(this);
    this.rekognitionTopic = rekognition.topic;
    this.rekognitionRole = rekognition.role;
    const lambdasDir = props.lambdasDir;
    const functions = pipelineFunctions(this, { settings, storage, lambdasDir }, mediaConvert, rekognition);
    const { common, submitJob, jobState, facesStart, facesCollect } = functions;

    // Each applied state change of job-state and faces-collect, signed, to the configured URLs.
    this.webhooks = new Webhooks(this, "Webhooks", {
      ...common,
      urls: settings.webhookUrls,
      producers: [jobState, facesCollect],
    });

    this.functions = {
      "submit-job": submitJob,
      "job-state": jobState,
      "faces-start": facesStart,
      "faces-collect": facesCollect,
      "webhook-deliver": this.webhooks.deliver,
      "recording-index": recordingIndexFunction(this, {
        common,
        recordingsBucket,
        recordingsPrefix: settings.recordingsPrefix,
        segmentSeconds: settings.recordingSegmentSeconds,
      }),
    };

    // Permissions: only what each function's code does (aws-lambdas/*), resource by resource.
    grantTableItems(functions, tables);
    grantMediaConvertAndOutput(functions, mediaConvert, outputBucket);
    grantRekognition(functions, mediaConvert, rekognition, settings, outputBucket);
    const undelivered = triggers(this, settings, inputBucket, functions, rekognition.topic);
    alarms(this, undelivered, this.functions);

    this.worker = new WorkerIdentity(this, "Worker", {
      tables,
      outputBucket,
      recordingsBucket,
      recordingsPrefix: settings.recordingsPrefix,
      inputBucket,
      inputPrefix: settings.inputPrefix,
      ...(settings.workerUserName ? { userName: settings.workerUserName } : {}),
    });

    stackOutputs(this, settings, storage, mediaConvert.jobTemplate, undelivered);
  }
}

/** What the MediaConvert section makes and the later sections use. */
interface MediaConvertParts {
  role: iam.Role;
  /** ARN pattern of the uploads (objects under the input prefix). */
  uploads: string;
  outputCfn: s3.CfnBucket;
  uploadsFinding: string;
  uploadsReason: string;
  jobTemplate: string;
  jobTemplateArn: string;
}

/** Rekognition's completion topic and the role it publishes with. */
interface RekognitionParts {
  topic: sns.Topic;
  role: iam.Role;
}

/** The four pipeline functions and the options they share. */
interface PipelineFunctions {
  common: { lambdasDir: string; logRetentionDays: number; logRemovalPolicy: RemovalPolicy };
  submitJob: PipelineFunction;
  jobState: PipelineFunction;
  facesStart: PipelineFunction;
  facesCollect: PipelineFunction;
}

/** MediaConvert's service role and the job template (the stack's own, or the one the settings name). */
function mediaConvertResources(stack: Stack, settings: MediaEdgeSettings, storage: Storage): MediaConvertParts {
  const { inputBucket, outputBucket } = storage;
  // The role MediaConvert assumes for a job: read the upload, write the HLS output. Nothing else:
  // the content key travels inside the job settings, not through S3.
  // https://docs.aws.amazon.com/mediaconvert/latest/ug/creating-the-iam-role-in-iam.html
  const role = new iam.Role(stack, "MediaConvertRole", {
    description: "Assumed by MediaConvert for media-edge jobs: read uploads, write HLS output.",
    assumedBy: new iam.ServicePrincipal("mediaconvert.amazonaws.com"),
  });
  // Both readers of uploads (MediaConvert for submit-job, Rekognition through faces-start) only
  // ever get keys under the upload prefix: the Lambdas skip everything else.
  const uploads = inputBucket.arnForObjects(`${settings.inputPrefix}*`);
  role.addToPolicy(readObjects("ReadUploads", uploads));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: "WriteHlsOutput",
      // Large segments may go up in parts; AbortMultipartUpload lets MediaConvert clean up a failed one.
      actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
      resources: [outputBucket.arnForObjects("*")],
    }),
  );
  const inputCfn = inputBucket.node.defaultChild as s3.CfnBucket;
  const outputCfn = outputBucket.node.defaultChild as s3.CfnBucket;
  const uploadsFinding = wildcardUnder(inputCfn, `/${settings.inputPrefix}*`);
  const uploadsReason = "Object ARNs: uploads have per-upload keys, all under the configured input prefix.";
  acknowledge(role, uploadsFinding, uploadsReason);
  acknowledge(
    role,
    wildcardUnder(outputCfn, "/*"),
    "Object ARNs: submit-job picks a new output folder per job; the output bucket holds nothing else to protect from MediaConvert.",
  );

  let jobTemplate = settings.mediaConvert.jobTemplate;
  let jobTemplateArn: string;
  if (jobTemplate !== undefined) {
    // Context mediaConvertJobTemplate: an ARN is used as it is, a name becomes this region's ARN.
    jobTemplateArn = jobTemplate.startsWith("arn:") ? jobTemplate : mediaConvertArn(`jobTemplates/${jobTemplate}`);
  } else {
    const template = new mediaconvert.CfnJobTemplate(stack, "HlsJobTemplate", {
      name: `${stack.stackName}-hls`,
      description: "media-edge: HLS ABR ladder; submit-job adds input, destination and AES-128 per upload.",
      category: "media-edge",
      settingsJson: hlsJobTemplateSettings(),
      // submit-job sets SECONDS_10 on each job as well; here for jobs started from the console.
      statusUpdateInterval: "SECONDS_10",
    });
    jobTemplate = template.attrName;
    jobTemplateArn = template.attrArn;
  }
  return { role, uploads, outputCfn, uploadsFinding, uploadsReason, jobTemplate, jobTemplateArn };
}

function rekognitionResources(stack: Stack): RekognitionParts {
  // Rekognition publishes job completion to this topic with this role. The "AmazonRekognition" name
  // prefix also lets the managed AmazonRekognitionServiceRole publish, but the role below grants
  // sns:Publish on this one topic explicitly and is what faces-start passes.
  // https://docs.aws.amazon.com/rekognition/latest/dg/api-video-roles.html
  const topic = new sns.Topic(stack, "RekognitionTopic", {
    topicName: `AmazonRekognition-${stack.stackName}`,
    displayName: "media-edge face detection completions",
    // A topic policy that denies publishing over plain HTTP (AwsSolutions-SNS3).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit
    enforceSSL: true,
  });
  const role = new iam.Role(stack, "RekognitionPublishRole", {
    description: "Assumed by Rekognition Video to publish media-edge job completions to SNS.",
    // aws:SourceAccount against the confused deputy problem.
    // https://docs.aws.amazon.com/rekognition/latest/dg/cross-service-confused-deputy-prevention.html
    assumedBy: new iam.ServicePrincipal("rekognition.amazonaws.com", {
      conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
    }),
  });
  topic.grantPublish(role);
  return { topic, role };
}

/** submit-job, job-state, faces-start and faces-collect with their settings. */
function pipelineFunctions(
  stack: Stack,
  { settings, storage, lambdasDir }: { settings: MediaEdgeSettings; storage: Storage; lambdasDir: string },
  mediaConvert: MediaConvertParts,
  rekognition: RekognitionParts,
): PipelineFunctions {
  const { inputBucket, outputBucket, tables } = storage;
  const { jobTemplate } = mediaConvert;
  const tableEnvironment = tableVariables(tables);
  const uploadFilter = {
    // Only the input bucket's events reach the functions (the rules match it), but the handlers
    // check again so a misrouted event is skipped with a logged reason.
    INPUT_BUCKETS: inputBucket.bucketName,
    ...(settings.inputPrefix ? { INPUT_PREFIX: settings.inputPrefix } : {}),
  };
  const common = {
    lambdasDir: lambdasDir,
    logRetentionDays: settings.logRetentionDays,
    logRemovalPolicy: removalPolicyOf(settings),
  };

  const submitJob = new PipelineFunction(stack, "SubmitJob", {
    ...common,
    name: "submit-job",
    description: "Upload -> MediaConvert CreateJob with a per-job AES-128 key; seed rows in DynamoDB.",
    memorySize: 512,
    timeout: Duration.seconds(60),
    environment: {
      ...tableEnvironment,
      ...uploadFilter,
      OUTPUT_BUCKET: outputBucket.bucketName,
      MEDIACONVERT_ROLE: mediaConvert.role.roleArn,
      MEDIACONVERT_JOB_TEMPLATE: jobTemplate,
      ...(settings.mediaConvert.endpoint ? { MEDIACONVERT_ENDPOINT_URL: settings.mediaConvert.endpoint } : {}),
      ...(settings.mediaConvert.queue ? { MEDIACONVERT_QUEUE: settings.mediaConvert.queue } : {}),
    },
  });

  const jobState = new PipelineFunction(stack, "JobState", {
    ...common,
    name: "job-state",
    description: "MediaConvert Job State Change -> monotonic status row; info.json on COMPLETE.",
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: { ...tableEnvironment, OUTPUT_BUCKET: outputBucket.bucketName },
  });

  const facesStart = new PipelineFunction(stack, "FacesStart", {
    ...common,
    name: "faces-start",
    description: "Upload -> Rekognition StartFaceDetection (SNS completion); analysis row.",
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: {
      ...tableEnvironment,
      ...uploadFilter,
      REKOGNITION_SNS_TOPIC_ARN: rekognition.topic.topicArn,
      REKOGNITION_ROLE_ARN: rekognition.role.roleArn,
      // Lets faces-start skip MediaConvert's output and its own results if they ever land in a
      // watched bucket.
      OUTPUT_BUCKET: outputBucket.bucketName,
      ANALYSIS_BUCKET: outputBucket.bucketName,
      ANALYSIS_PREFIX: settings.analysisPrefix,
    },
    // Rekognition runs at most 20 face-detection jobs per account, and StartFaceDetection has its
    // own transactions-per-second quota. Capping the function keeps a burst of uploads from turning
    // into a burst of throttling errors (each costing one of only two retries): throttled
    // invocations wait in Lambda's async queue and are retried for up to maxEventAge (6 h) instead.
    // It does not hold jobs back once 20 are running; those events are retried and then land in
    // the failure queue with a WAITING_FOR_CAPACITY row, ready to redrive.
    // https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    reservedConcurrentExecutions: settings.facesStartConcurrency,
  });

  const facesCollect = new PipelineFunction(stack, "FacesCollect", {
    ...common,
    name: "faces-collect",
    description: "Rekognition completion (SNS) -> every GetFaceDetection page -> S3 results, summary row.",
    // Pages of up to 1000 FaceDetails (with ALL attributes) are parsed and re-serialised in memory.
    memorySize: 1024,
    // Long results continue across invocations from a checkpoint (aws-lambdas/faces-collect); a
    // long timeout means fewer hand-overs. The handler stops FACES_COLLECT_RESERVE_MS (30 s) early.
    timeout: Duration.minutes(10),
    environment: {
      ...tableEnvironment,
      ANALYSIS_BUCKET: outputBucket.bucketName,
      ANALYSIS_PREFIX: settings.analysisPrefix,
    },
    // Each retry resumes the collection from its checkpoint, so keep both (faces-collect/handler.ts).
    retryAttempts: 2,
  });
  return { common, submitJob, jobState, facesStart, facesCollect };
}

function grantTableItems(
  { submitJob, jobState, facesStart, facesCollect }: PipelineFunctions,
  tables: Storage["tables"],
): void {
  // DynamoDB: only the item actions each function's code performs (aws-lambdas/*), table by table.
  // TransactWriteItems needs the per-item actions on every table it touches.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
  const claimActions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];
  grantItems(submitJob, tables.uploadEvents, claimActions);
  // The job's three seed rows are written in one transaction of conditional puts (submit-job/records.ts).
  for (const role of ["inputFileToJobId", "jobIdToOutput", "jobIdToStatus"] as const) {
    grantItems(submitJob, tables[role], ["dynamodb:PutItem"]);
  }
  grantItems(jobState, tables.jobIdToStatus, ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
  grantItems(jobState, tables.jobIdToOutput, ["dynamodb:GetItem"]);
  grantItems(facesStart, tables.uploadEvents, claimActions);
  // faces-start only writes the analysis row, each write conditional (faces-start/rows.ts): no read.
  grantItems(facesStart, tables.faceAnalysis, ["dynamodb:PutItem", "dynamodb:UpdateItem"]);
  grantItems(facesCollect, tables.faceAnalysis, ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
}

function grantMediaConvertAndOutput(
  { submitJob, jobState }: PipelineFunctions,
  mediaConvert: MediaConvertParts,
  outputBucket: s3.IBucket,
): void {
  // submit-job: CreateJob/CancelJob on the resource types those actions authorize (job, queue,
  // preset, job template) in this account and region, and PassRole on the MediaConvert role only,
  // only to MediaConvert.
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselementalmediaconvert.html
  submitJob.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "SubmitJobs",
      actions: ["mediaconvert:CreateJob", "mediaconvert:CancelJob"],
      resources: [...MEDIACONVERT_WILDCARDS.map(mediaConvertArn), mediaConvert.jobTemplateArn],
    }),
  );
  for (const resource of MEDIACONVERT_WILDCARDS) {
    acknowledge(
      submitJob,
      `IAM5[Resource::arn:<AWS::Partition>:mediaconvert:<AWS::Region>:<AWS::AccountId>:${resource}]`,
      "Job ids are MediaConvert's; the queue and presets are whatever the job template names, possibly outside this stack.",
    );
  }
  submitJob.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "PassMediaConvertRole",
      actions: ["iam:PassRole"],
      resources: [mediaConvert.role.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "mediaconvert.amazonaws.com" } },
    }),
  );

  // job-state writes info.json into each job's output folder, nothing else.
  jobState.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "WriteInfoJson",
      actions: ["s3:PutObject"],
      resources: [outputBucket.arnForObjects(`*/${INFO_FILE}`)],
    }),
  );
  acknowledge(
    jobState,
    wildcardUnder(mediaConvert.outputCfn, `/*/${INFO_FILE}`),
    `Object ARNs: one ${INFO_FILE} per job folder, whose name is the job's.`,
  );
}

function grantRekognition(
  { facesStart, facesCollect }: PipelineFunctions,
  mediaConvert: MediaConvertParts,
  rekognition: RekognitionParts,
  settings: MediaEdgeSettings,
  outputBucket: s3.IBucket,
): void {
  // faces-start: Rekognition Video actions have no resource-level permissions, hence "*".
  // Rekognition reads the video with the caller's permissions, so faces-start needs GetObject on
  // the uploads; and it passes the publish role, only to Rekognition.
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html
  // https://docs.aws.amazon.com/rekognition/latest/dg/security_iam_id-based-policy-examples.html
  facesStart.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "StartFaceDetection",
      actions: ["rekognition:StartFaceDetection"],
      resources: ["*"],
    }),
  );
  facesStart.function.addToRolePolicy(readObjects("ReadUploadsForRekognition", mediaConvert.uploads));
  facesStart.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "PassRekognitionRole",
      actions: ["iam:PassRole"],
      resources: [rekognition.role.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "rekognition.amazonaws.com" } },
    }),
  );
  acknowledge(facesStart, mediaConvert.uploadsFinding, mediaConvert.uploadsReason);

  facesCollect.function.addToRolePolicy(
    new iam.PolicyStatement({ sid: "GetFaceDetection", actions: ["rekognition:GetFaceDetection"], resources: ["*"] }),
  );
  facesCollect.function.addToRolePolicy(
    new iam.PolicyStatement({
      sid: "WriteFaceResults",
      actions: ["s3:PutObject"],
      resources: [outputBucket.arnForObjects(`${settings.analysisPrefix}*`)],
    }),
  );
  acknowledge(
    facesCollect,
    wildcardUnder(mediaConvert.outputCfn, `/${settings.analysisPrefix}*`),
    "Object ARNs: one result file per analysis, all under the analysis prefix.",
  );
  for (const fn of [facesStart, facesCollect]) {
    acknowledge(
      fn,
      "IAM5[Resource::*]",
      "Rekognition Video's StartFaceDetection/GetFaceDetection support no resource-level permissions " +
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html).",
    );
  }
}

/** The EventBridge rules and SNS subscription that invoke the functions; returns the queue of what they could not deliver. */
function triggers(
  stack: Stack,
  settings: MediaEdgeSettings,
  inputBucket: s3.IBucket,
  { submitJob, jobState, facesStart, facesCollect }: PipelineFunctions,
  rekognitionTopic: sns.Topic,
): sqs.Queue {
  // When EventBridge or SNS cannot invoke a function at all (deleted, permissions), the event lands
  // here instead of being dropped after the retry policy. Failures inside a function go to that
  // function's own queue (PipelineFunction).
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
  // https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
  const undelivered = new sqs.Queue(stack, "UndeliveredEvents", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  acknowledge(undelivered, "SQS3", "This queue is itself the dead-letter queue of the rules and the subscription.");
  const targetOptions = { deadLetterQueue: undelivered, retryAttempts: 185, maxEventAge: Duration.hours(24) };

  // One rule per consumer of the same upload (see Storage: S3 notifications cannot overlap).
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
  const objectCreated: events.EventPattern = {
    source: ["aws.s3"],
    detailType: ["Object Created"],
    detail: {
      bucket: { name: [inputBucket.bucketName] },
      ...(settings.inputPrefix ? { object: { key: [{ prefix: settings.inputPrefix }] } } : {}),
    },
  };
  new events.Rule(stack, "UploadToSubmitJob", {
    description: "Input bucket Object Created -> submit-job (MediaConvert).",
    eventPattern: objectCreated,
    targets: [new targets.LambdaFunction(submitJob.function, targetOptions)],
  });
  new events.Rule(stack, "UploadToFacesStart", {
    description: "Input bucket Object Created -> faces-start (Rekognition).",
    eventPattern: objectCreated,
    targets: [new targets.LambdaFunction(facesStart.function, targetOptions)],
  });

  // Only jobs submit-job created (it tags them in UserMetadata), and only from the configured queue
  // when one is set, so other MediaConvert users of the account cost nothing.
  // https://docs.aws.amazon.com/mediaconvert/latest/ug/cloudwatch_events.html
  const queueArn = settings.mediaConvert.queue?.startsWith("arn:") ? settings.mediaConvert.queue : undefined;
  new events.Rule(stack, "MediaConvertJobStateChange", {
    description: "MediaConvert Job State Change of media-edge jobs -> job-state.",
    eventPattern: {
      source: ["aws.mediaconvert"],
      detailType: ["MediaConvert Job State Change"],
      detail: {
        userMetadata: { JobCreatedBy: [JOB_CREATED_BY] },
        ...(queueArn ? { queue: [queueArn] } : {}),
      },
    },
    targets: [new targets.LambdaFunction(jobState.function, targetOptions)],
  });

  rekognitionTopic.addSubscription(
    new subscriptions.LambdaSubscription(facesCollect.function, { deadLetterQueue: undelivered }),
  );
  return undelivered;
}

function alarms(stack: Stack, undelivered: sqs.IQueue, functions: Record<FunctionName, PipelineFunction>): void {
  // Anything in these queues is an upload or a job that needs a person. No actions are attached:
  // point them at your paging topic.
  const queues: Array<[string, sqs.IQueue]> = [
    ["UndeliveredEvents", undelivered],
    ...FUNCTION_NAMES.flatMap((name): Array<[string, sqs.IQueue]> => {
      const queue = functions[name].failureQueue;
      return queue ? [[`${name}-failures`, queue]] : [];
    }),
  ];
  for (const [name, queue] of queues) {
    new cloudwatch.Alarm(stack, `Alarm-${name}`, {
      alarmDescription: `media-edge: messages waiting in ${name}; read them, fix the cause, redrive.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

function stackOutputs(
  stack: MediaEdgeStack,
  settings: MediaEdgeSettings,
  storage: Storage,
  jobTemplate: string,
  undelivered: sqs.IQueue,
): void {
  const { inputBucket, outputBucket, recordingsBucket, tables } = storage;
  const output = (id: string, value: string, description: string) => new CfnOutput(stack, id, { value, description });
  output("InputBucketName", inputBucket.bucketName, "Uploads: every object created here is transcoded and analysed.");
  output(
    "InputKeys",
    inputKeysOutput(settings.inputPrefix),
    "Keys of the input bucket that are uploads: INPUT_PREFIX of the Worker and the Lambdas, then *.",
  );
  output("OutputBucketName", outputBucket.bucketName, "HLS output, info.json and face results (private).");
  output("RecordingsBucketName", recordingsBucket.bucketName, `Recorder segments under ${settings.recordingsPrefix}/.`);
  for (const role of Object.keys(DEFAULT_TABLES) as TableRole[]) {
    output(tableOutputId(role), tables[role].tableName, `${TABLE_ENV_VARS[role]}`);
  }
  // With the names above, what `npm run worker-vars` turns into the Worker's variables (worker-vars.ts).
  output("AwsRegion", stack.region, "AWS_REGION of the Worker.");
  if (settings.allowedOrigins.length > 0) {
    output(
      "AllowedOrigins",
      settings.allowedOrigins.join(","),
      "ALLOWED_ORIGINS of the Worker: the origins of the input bucket's CORS rule (browser uploads).",
    );
  }
  output("RecordingsPrefix", settings.recordingsPrefix, "RECORDINGS_PREFIX of the Worker.");
  output(
    "RecordingSegmentSeconds",
    String(settings.recordingSegmentSeconds),
    "RECORDING_SEGMENT_SECONDS of the Worker: the recording indexer's segment length.",
  );
  // The stack deploys the recording indexer, so its Worker reads the index.
  output("RecordingsIndex", "on", "RECORDINGS_INDEX of the Worker: the stack keeps the recording index.");
  output("AnalysisPrefix", settings.analysisPrefix, "ANALYSIS_PREFIX of the Worker.");
  output("RekognitionTopicArn", stack.rekognitionTopic.topicArn, "Rekognition completions -> faces-collect.");
  output("MediaConvertRoleArn", stack.mediaConvertRole.roleArn, "MEDIACONVERT_ROLE of submit-job.");
  output("MediaConvertJobTemplate", jobTemplate, "MEDIACONVERT_JOB_TEMPLATE of submit-job.");
  for (const name of FUNCTION_NAMES) {
    const fn = stack.functions[name];
    if (fn.failureQueue) output(`${fn.node.id}FailureQueueUrl`, fn.failureQueue.queueUrl, `Events ${name} gave up on.`);
  }
  output("UndeliveredEventsQueueUrl", undelivered.queueUrl, "Events EventBridge/SNS could not deliver.");
  output("WebhookSecretArn", stack.webhooks.secret.secretArn, "Webhook signing secret: give it to receivers.");
  output(
    "WebhookDeadLetterQueueUrl",
    stack.webhooks.deadLetterQueue.queueUrl,
    "Webhook deliveries given up after 24 h of retries.",
  );
  output(
    "WorkerUserName",
    stack.worker.user.userName,
    "IAM user the Worker signs as: reads, and signs uploads under the input prefix.",
  );
  output(
    "WorkerCredentialsSteps",
    `aws iam create-access-key --user-name ${stack.worker.user.userName}` +
      " ; then npx wrangler secret put AWS_ACCESS_KEY_ID --env <env> and npx wrangler secret put" +
      " AWS_SECRET_ACCESS_KEY --env <env> with the AccessKeyId and SecretAccessKey it prints (never commit them).",
    "How to give the Worker its AWS credentials. CloudFormation never creates or shows the key.",
  );
  output(
    "WorkerVars",
    stack.toJsonString(workerVars(stack, settings, storage)),
    "The Worker's variables for this deployment; `npm run worker-vars -- --env <env>` writes them into wrangler.toml.",
  );
}

/**
 * CDK's own handler for the input bucket's notification settings (a CloudFormation custom resource
 * created with `eventBridgeEnabled`) is built inside aws-cdk-lib with the managed basic execution
 * role; its role cannot be passed in. It runs only during deployments.
 */
function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith("BucketNotificationsHandler"));
  if (handler === undefined) return;
  acknowledge(
    handler,
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "aws-cdk-lib's BucketNotificationsHandler custom resource: its role is internal to CDK and it only runs at deploy time.",
  );
}

/** MediaConvert resources CreateJob may touch that the stack cannot name (see SubmitJobs). */
const MEDIACONVERT_WILDCARDS = ["jobs/*", "queues/*", "presets/*"];

/** A MediaConvert resource of this account and region, e.g. `jobs/*`. */
function mediaConvertArn(resource: string): string {
  return `arn:${Aws.PARTITION}:mediaconvert:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/**
 * Item actions on a table and nothing under it. `ITable.grant()` adds `<table>/index/*` as well,
 * which the item actions never use (AwsSolutions-IAM5); the Worker alone queries an index.
 */
function grantItems(fn: PipelineFunction, table: dynamodb.ITable, actions: string[]): void {
  fn.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
}

/** GetObject (and GetObjectVersion: the events carry a version id on versioned buckets) on `objects`. */
function readObjects(sid: string, objects: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [objects] });
}

/** Each table's environment variable (TABLE_ENV_VARS) -> its name, as the Lambdas and the Worker read them. */
function tableVariables(tables: Storage["tables"]): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(DEFAULT_TABLES) as TableRole[]).map((role) => [TABLE_ENV_VARS[role], tables[role].tableName]),
  );
}

/** The Worker's [vars] that depend on this deployment (see worker/config.ts). */
function workerVars(stack: Stack, settings: MediaEdgeSettings, storage: Storage): Record<string, string> {
  return {
    AWS_REGION: stack.region,
    OUTPUT_BUCKET: storage.outputBucket.bucketName,
    RECORDINGS_BUCKET: storage.recordingsBucket.bucketName,
    RECORDINGS_PREFIX: settings.recordingsPrefix,
    RECORDING_SEGMENT_SECONDS: String(settings.recordingSegmentSeconds),
    RECORDINGS_INDEX: "on",
    ANALYSIS_BUCKET: storage.outputBucket.bucketName,
    ANALYSIS_PREFIX: settings.analysisPrefix,
    // Direct uploads: where the Worker's presigned URLs put files, so the Lambdas pick them up. The
    // prefix even when it is the root (""), so that it replaces an environment's earlier prefix.
    INPUT_BUCKET: storage.inputBucket.bucketName,
    INPUT_PREFIX: settings.inputPrefix,
    ...tableVariables(storage.tables),
    ...(settings.allowedOrigins.length > 0 && { ALLOWED_ORIGINS: settings.allowedOrigins.join(",") }),
  };
}
