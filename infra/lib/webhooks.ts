/**
 * Signed webhooks: the FIFO delivery queue the producers (job-state, faces-collect) send to, its
 * dead-letter queue, the signing secret and webhook-deliver (aws-lambdas/webhook-deliver).
 *
 *   job-state / faces-collect --sqs:SendMessage--> Deliveries.fifo --> webhook-deliver --POST--> receivers
 *                                                      | after WEBHOOK_MAX_ATTEMPTS receives (~24 h)
 *                                                      v
 *                                               DeadLetters.fifo (alarm)
 *
 * Both queues are encrypted (SQS-managed keys) and refuse plain HTTP. The deliverer may read the one
 * secret and consume the one queue; the producers may only SendMessage to it.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { WEBHOOK_MAX_ATTEMPTS } from "../../model/webhook-queue.ts";
import { acknowledge } from "./nag.ts";
import { PipelineFunction } from "./pipeline-function.ts";

export interface WebhooksProps {
  lambdasDir: string;
  logRetentionDays: number;
  logRemovalPolicy: RemovalPolicy;
  /** Receivers; empty = the producers enqueue nothing (the queue and deliverer stay idle). */
  urls: string[];
  /** Functions that send state changes. */
  producers: PipelineFunction[];
}

/** Up to this many messages per invocation, each with WEBHOOK_TIMEOUT_MS (10 s by default). */
const BATCH_SIZE = 5;
const DELIVER_TIMEOUT = Duration.minutes(2);

export class Webhooks extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly secret: secretsmanager.Secret;
  readonly deliver: PipelineFunction;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const queueSecurity = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      ...queueSecurity,
      fifo: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, "SQS3", "This queue is itself the dead-letter queue of the webhook deliveries.");
    this.queue = new sqs.Queue(this, "Deliveries", {
      ...queueSecurity,
      fifo: true,
      // Longer than the retry window (24 h), so no delivery expires before the dead-letter queue takes it.
      retentionPeriod: Duration.days(4),
      // Six times the function timeout, as Lambda's SQS guide recommends.
      visibilityTimeout: Duration.minutes(12),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_ATTEMPTS },
    });

    // 48 random bytes as 64 base64 characters: a valid Standard Webhooks key (receivers may prefix
    // `whsec_`). A rotation puts "new old" in the secret for a while (docs/webhooks.md).
    this.secret = new secretsmanager.Secret(this, "SigningSecret", {
      description: "media-edge webhook signing secret(s): whsec_ or base64 keys, newest first, space-separated.",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(
      this.secret,
      "SMG4",
      "Rotating a webhook secret needs every receiver to take the new one: it is a two-secret overlap an " +
        "operator coordinates (docs/webhooks.md), not an automatic Lambda rotation.",
    );

    this.deliver = new PipelineFunction(this, "Deliver", {
      lambdasDir: props.lambdasDir,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
      name: "webhook-deliver",
      // The deliveries queue's redrive policy (maxReceiveCount above) is its failure path.
      invokedBy: "queue",
      description: "Webhook queue (SQS FIFO) -> signed POST to each receiver; retries through the queue.",
      memorySize: 256,
      timeout: DELIVER_TIMEOUT,
      environment: { WEBHOOK_QUEUE_URL: this.queue.queueUrl, WEBHOOK_SECRET_ARN: this.secret.secretArn },
    });
    // Consume (Receive/Delete/ChangeMessageVisibility/GetQueueAttributes) this queue only.
    this.deliver.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: BATCH_SIZE, reportBatchItemFailures: true }),
    );
    this.secret.grantRead(this.deliver.function);

    for (const producer of props.producers) {
      producer.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: "EnqueueWebhooks",
          actions: ["sqs:SendMessage"],
          resources: [this.queue.queueArn],
        }),
      );
      producer.function.addEnvironment("WEBHOOK_QUEUE_URL", this.queue.queueUrl);
      if (props.urls.length > 0) producer.function.addEnvironment("WEBHOOK_URLS", props.urls.join(","));
    }

    new cloudwatch.Alarm(this, "DeadLettersAlarm", {
      alarmDescription: "media-edge: webhook deliveries given up after 24 h; read them, fix the receiver, redrive.",
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
