/**
 * One of the pipeline's Lambdas, deployed the same way every time: the esbuild bundle that
 * `npm run build:lambdas` writes to `dist/lambdas/<name>/index.mjs`, Node.js 22 on ARM64, its own log
 * group with a retention, and asynchronous invocation settings with an SQS on-failure destination.
 *
 * Every trigger of these functions (EventBridge, SNS) invokes them asynchronously, so Lambda's own
 * retries and the on-failure destination decide what happens to an event whose handler throws: the
 * handlers throw on purpose for anything worth retrying (see aws-lambdas/*). A destination record
 * keeps the original event plus the error, so an operator can read why and redrive it.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledge } from "./nag.ts";

export interface PipelineFunctionProps {
  /** Folder name under aws-lambdas/ and dist/lambdas/. */
  name: string;
  description: string;
  /** Folder holding `<name>/index.mjs` (dist/lambdas by default). */
  lambdasDir: string;
  environment: Record<string, string>;
  memorySize: number;
  timeout: Duration;
  logRetentionDays: number;
  /** What happens to the log group when the stack is deleted: the stack's data policy (retain by default). */
  logRemovalPolicy: RemovalPolicy;
  /**
   * How the function is invoked. "events" (the default; S3, EventBridge, SNS): asynchronously, with
   * Lambda's retries and an on-failure queue. "queue": by an SQS event source mapping, which is a
   * synchronous invocation, so Lambda's async retries and destinations never apply and the source
   * queue's redrive policy takes the failures instead
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html): no failure queue that would
   * stay empty, and no alarm on it that could never fire.
   */
  invokedBy?: "events" | "queue";
  /** Async retries after a function error (0-2). */
  retryAttempts?: number;
  reservedConcurrentExecutions?: number;
}

/** A pipeline Lambda plus its log group and, when events invoke it, its on-failure queue. */
export class PipelineFunction extends Construct {
  readonly function: lambda.Function;
  /** Events the function gave up on (after its retries, or older than maxEventAge); none for "queue". */
  readonly failureQueue: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const codeDir = join(props.lambdasDir, props.name);
    if (!existsSync(join(codeDir, "index.mjs"))) {
      throw new Error(`${join(codeDir, "index.mjs")} does not exist: run \`npm run build:lambdas\` before synthesis.`);
    }

    this.failureQueue = props.invokedBy === "queue" ? undefined : failureQueue(this);

    // Retained like the buckets and tables: the logs say what happened to the data that outlives the stack.
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: retentionFor(props.logRetentionDays),
      removalPolicy: props.logRemovalPolicy,
    });

    // Instead of AWSLambdaBasicExecutionRole (CreateLogGroup/CreateLogStream/PutLogEvents on every log
    // group of the account): write access to this function's own group only. The stack adds what the
    // code calls. https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-permissions.html
    const role = new iam.Role(this, "Role", {
      description: `media-edge ${props.name}: its own log group; the stack adds what the code calls.`,
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    });
    logGroup.grantWrite(role);

    this.function = new lambda.Function(this, "Function", {
      description: props.description,
      code: lambda.Code.fromAsset(codeDir),
      handler: "index.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      role,
      // Graviton: cheaper per GB-second; the bundles are plain JavaScript with no native modules.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(this.failureQueue && {
        retryAttempts: props.retryAttempts ?? 2,
        // The longest Lambda allows: throttled events (reserved concurrency, account limit) are retried
        // for this long before they go to the destination.
        maxEventAge: Duration.hours(6),
        onFailure: new destinations.SqsDestination(this.failureQueue),
      }),
    });
    acknowledge(
      this.function,
      "L1",
      "Node.js 22 is a supported LTS runtime and matches the bundles' esbuild target (aws-lambdas/build.ts, " +
        "target node22); moving to a newer runtime is a deliberate change of both, tested together.",
    );
  }
}

/** The on-failure queue of a function invoked by events. */
function failureQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, "FailedEvents", {
    // The maximum, so a weekend is not enough to lose a failed upload.
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  acknowledge(queue, "SQS3", "This queue is itself the function's on-failure destination.");
  return queue;
}

/** The CloudWatch Logs retention enum value for a number of days (the next allowed value up). */
export function retentionFor(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === "number" && value > 0)
    .sort((a, b) => a - b);
  const match = allowed.find((value) => value >= days) ?? allowed[allowed.length - 1]!;
  return match as logs.RetentionDays;
}
