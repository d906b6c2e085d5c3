/**
 * The CDK stack, synthesized offline (explicit account/region, no credentials, no network) from the
 * real Lambda bundles, and checked with Template assertions rather than a snapshot: the properties
 * that matter are named, so an unrelated CDK upgrade does not break the test and a real regression
 * does. One synthesis per configuration, shared by every assertion.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambdas } from "../../aws-lambdas/build.ts";
import { readFacesCollectConfig } from "../../aws-lambdas/faces-collect/config.ts";
import { readFacesStartConfig } from "../../aws-lambdas/faces-start/config.ts";
import { readJobStateConfig } from "../../aws-lambdas/job-state/config.ts";
import { readSubmitJobConfig } from "../../aws-lambdas/submit-job/config.ts";
import { webhookTargets } from "../../aws-lambdas/shared/webhook-targets.ts";
import { readWebhookDeliverConfig } from "../../aws-lambdas/webhook-deliver/config.ts";
import { FUNCTION_NAMES, type FunctionName, MediaEdgeStack } from "../../infra/lib/media-edge-stack.ts";
import { readSettings } from "../../infra/lib/settings.ts";
import { WORKER_VAR_OUTPUTS, workerVarsFromOutputs } from "../../infra/lib/worker-vars.ts";
import { tableDefinition } from "../../local/aws.ts";
import { parseAllowedOrigins } from "../../worker/origins.ts";
import { HLS_LADDER } from "../../model/ladder.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_TABLES,
  FACE_ANALYSIS_JOB_INDEX,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
  type TableRole,
  DEFAULT_RECORDINGS_PREFIX,
} from "../../model/index.ts";
import { WEBHOOK_MAX_ATTEMPTS } from "../../model/webhook-queue.ts";
import { ACCOUNT, REGION, resolveValue, resolvedEnvironment } from "./template-values.ts";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const ROLES = Object.keys(DEFAULT_TABLES) as TableRole[];
let lambdasDir: string;

function synth(context: Record<string, string>): { stack: MediaEdgeStack; template: Template; resources: Resources } {
  const app = new App();
  const stack = new MediaEdgeStack(app, "MediaEdgeTest", {
    env: { account: ACCOUNT, region: REGION },
    settings: readSettings((key) => context[key]),
    lambdasDir,
  });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources };
}

/** The stack's outputs as a deployment would report them (output id -> value), what `npm run worker-vars` reads. */
function resolvedOutputs(template: Template, resources: Resources): Record<string, string> {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([id, output]) => [id, resolveValue(resources, output.Value)]));
}

function logicalIdOf(stack: Stack, name: FunctionName): string {
  const fn = (stack as MediaEdgeStack).functions[name].function;
  return stack.getLogicalId(fn.node.defaultChild as CfnFunction);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Every statement of the inline and managed policies attached to a role or user (by logical id). */
function statementsFor(resources: Resources, principal: { Ref: string }): Statement[] {
  const same = (a: unknown) => JSON.stringify(a) === JSON.stringify(principal);
  const documentOf = (resource: { Properties?: Record<string, unknown> }) =>
    (resource.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
  // Managed policies are attached by the principal's ManagedPolicyArns or by the policy's Users/Roles.
  const managedArns =
    (resources[principal.Ref]?.Properties?.ManagedPolicyArns as Array<{ Ref?: string }> | undefined) ?? [];
  return Object.entries(resources).flatMap(([id, resource]) => {
    const props = resource.Properties ?? {};
    const listed = [...((props.Roles as unknown[]) ?? []), ...((props.Users as unknown[]) ?? [])].some(same);
    const attached =
      (resource.Type === "AWS::IAM::Policy" && listed) ||
      (resource.Type === "AWS::IAM::ManagedPolicy" && (listed || managedArns.some((arn) => arn.Ref === id)));
    return attached ? documentOf(resource) : [];
  });
}

function roleOfFunction(resources: Resources, functionLogicalId: string): { Ref: string } {
  const role = resources[functionLogicalId]!.Properties!.Role as { "Fn::GetAtt": [string, string] };
  return { Ref: role["Fn::GetAtt"][0] };
}

function allStatements(resources: Resources): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy")
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

beforeAll(async () => {
  // Real bundles, in a folder of our own so a parallel `npm run build:lambdas` cannot race us.
  lambdasDir = mkdtempSync(join(tmpdir(), "media-edge-infra-"));
  await buildLambdas({ outDir: lambdasDir, names: [...FUNCTION_NAMES] });
});

afterAll(() => {
  if (lambdasDir) rmSync(lambdasDir, { recursive: true, force: true });
});

describe("default configuration", () => {
  let stack: MediaEdgeStack;
  let template: Template;
  let resources: Resources;
  beforeAll(() => ({ stack, template, resources } = synth({})));

  describe("DynamoDB tables (names, keys, index and TTL from model/)", () => {
    it("creates the five tables with the seed/model names, string partition keys, on-demand, TTL and PITR, retained", () => {
      template.resourceCountIs("AWS::DynamoDB::Table", ROLES.length);
      for (const role of ROLES) {
        template.hasResource("AWS::DynamoDB::Table", {
          DeletionPolicy: "Retain",
          UpdateReplacePolicy: "Retain",
          Properties: Match.objectLike({
            TableName: DEFAULT_TABLES[role],
            KeySchema: [{ AttributeName: TABLE_KEYS[role], KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST",
            TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        });
      }
    });

    it("gives the face-analysis table its ByJobId index, exactly as the local stack defines it", () => {
      template.hasResourceProperties("AWS::DynamoDB::Table", {
        TableName: DEFAULT_TABLES.faceAnalysis,
        GlobalSecondaryIndexes: [
          {
            IndexName: FACE_ANALYSIS_JOB_INDEX.name,
            KeySchema: [{ AttributeName: FACE_ANALYSIS_JOB_INDEX.key, KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      });
      // AWS and `npm start` must agree on every key schema and attribute definition.
      const tables = Object.values(resources).filter((r) => r.Type === "AWS::DynamoDB::Table");
      for (const role of ROLES) {
        const local = tableDefinition(role, DEFAULT_TABLES[role]);
        const deployed = tables.find((t) => t.Properties!.TableName === DEFAULT_TABLES[role])!.Properties!;
        expect(deployed.KeySchema).toEqual(local.KeySchema);
        expect(
          [...(deployed.AttributeDefinitions as object[])].sort((a, b) =>
            JSON.stringify(a).localeCompare(JSON.stringify(b)),
          ),
        ).toEqual([...local.AttributeDefinitions!].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
        expect(deployed.GlobalSecondaryIndexes ?? []).toEqual(local.GlobalSecondaryIndexes ?? []);
      }
    });
  });

  describe("S3 buckets", () => {
    it("creates three private, encrypted, retained buckets that refuse plain HTTP", () => {
      template.resourceCountIs("AWS::S3::Bucket", 3);
      const buckets = template.findResources("AWS::S3::Bucket");
      for (const [id, bucket] of Object.entries(buckets)) {
        expect(bucket.DeletionPolicy, id).toBe("Retain");
        expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.BucketEncryption, id).toEqual({
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        });
        expect(bucket.Properties.OwnershipControls, id).toEqual({
          Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
        });
        expect(bucket.Properties.WebsiteConfiguration, id).toBeUndefined();
        template.hasResourceProperties("AWS::S3::BucketPolicy", {
          Bucket: { Ref: id },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: "Deny",
                Action: "s3:*",
                Principal: { AWS: "*" },
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              }),
            ]),
          },
        });
      }
    });

    it("grants nobody public access in any bucket policy", () => {
      for (const policy of Object.values(template.findResources("AWS::S3::BucketPolicy"))) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Array<
          Statement & { Principal: unknown }
        >) {
          if (statement.Effect === "Allow") expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
        }
      }
    });

    it("sends the input bucket's events to EventBridge (and only that bucket's)", () => {
      const input = stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never);
      const toEventBridge = Object.values(template.findResources("Custom::S3BucketNotifications")).filter(
        (resource) => resource.Properties.NotificationConfiguration.EventBridgeConfiguration !== undefined,
      );
      expect(toEventBridge).toHaveLength(1);
      template.hasResourceProperties("Custom::S3BucketNotifications", {
        BucketName: { Ref: input },
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      });
    });

    it("sends the recordings bucket's new, deleted and expired segments (prefix, .ts) to recording-index, nothing else", () => {
      const recordings = stack.getLogicalId(stack.storage.recordingsBucket.node.defaultChild as never);
      const indexer = stack.getLogicalId(stack.functions["recording-index"].function.node.defaultChild as never);
      const segments = (event: string) => ({
        Events: [event],
        LambdaFunctionArn: { "Fn::GetAtt": [indexer, "Arn"] },
        Filter: {
          Key: {
            FilterRules: Match.arrayWith([
              { Name: "suffix", Value: ".ts" },
              { Name: "prefix", Value: `${DEFAULT_RECORDINGS_PREFIX}/` },
            ]),
          },
        },
      });
      template.hasResourceProperties("Custom::S3BucketNotifications", {
        BucketName: { Ref: recordings },
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            segments("s3:ObjectCreated:*"),
            segments("s3:ObjectRemoved:*"),
            segments("s3:LifecycleExpiration:*"),
          ],
        },
      });
    });

    it("gives recording-index and the Worker one segment length, recordingSegmentSeconds (30 by default)", () => {
      const lengthOf = (built: ReturnType<typeof synth>) => {
        const indexer = built.resources[logicalIdOf(built.stack, "recording-index")]!.Properties!;
        const outputs = built.template.toJSON().Outputs as Record<string, { Value: unknown }>;
        const vars = JSON.parse(resolveValue(built.resources, outputs.WorkerVars!.Value)) as Record<string, string>;
        return {
          indexer: (indexer.Environment as { Variables: Record<string, string> }).Variables.RECORDING_SEGMENT_SECONDS,
          worker: vars.RECORDING_SEGMENT_SECONDS,
        };
      };
      expect(lengthOf({ stack, template, resources })).toEqual({ indexer: "30", worker: "30" });
      expect(lengthOf(synth({ recordingSegmentSeconds: "10" }))).toEqual({ indexer: "10", worker: "10" });
    });

    it("lets recording-index list the recordings bucket (unconditioned, so a missing index is a 404) and read/write only the index objects", () => {
      const recordings = stack.getLogicalId(stack.storage.recordingsBucket.node.defaultChild as never);
      const role = stack.getLogicalId(stack.functions["recording-index"].function.role!.node.defaultChild as never);
      const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((policy) =>
        (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role),
      );
      const statements = policies.flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
      );
      const s3Statements = statements.filter((statement) => JSON.stringify(statement.Action).includes("s3:"));
      expect(s3Statements).toEqual([
        {
          Sid: "ListRecordings",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: { "Fn::GetAtt": [recordings, "Arn"] },
        },
        {
          Sid: "ReadWriteDayIndexes",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: {
            "Fn::Join": ["", [{ "Fn::GetAtt": [recordings, "Arn"] }, `/${DEFAULT_RECORDINGS_PREFIX}/*~index/*`]],
          },
        },
      ]);
      // Nothing else: no DynamoDB, no other bucket.
      expect(JSON.stringify(statements)).not.toMatch(/dynamodb:|mediaconvert:|rekognition:/);
    });

    it("expires face results under the analysis prefix, a day after their rows", () => {
      // arrayWith since the output bucket also aborts incomplete uploads (cdk-nag pass).
      template.hasResourceProperties("AWS::S3::Bucket", {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Prefix: DEFAULT_ANALYSIS_PREFIX, ExpirationInDays: 8, Status: "Enabled" }),
          ]),
        },
      });
    });

    it("aborts incomplete multipart uploads after 7 days in every bucket, and expires no recording", () => {
      for (const [id, bucket] of Object.entries(template.findResources("AWS::S3::Bucket"))) {
        const rules = bucket.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
        expect(rules, id).toContainEqual(
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: "Enabled" }),
        );
      }
      const recordings = stack.getLogicalId(stack.storage.recordingsBucket.node.defaultChild as never);
      const rules = resources[recordings]!.Properties!.LifecycleConfiguration as { Rules: object[] };
      expect(rules.Rules.some((rule) => "ExpirationInDays" in rule)).toBe(false);
    });

    it("with recordingsRetentionDays, expires the recordings under their prefix (segments and index objects)", () => {
      for (const [prefix, expected] of [
        ["cams", { Prefix: "cams/" }],
        // "/": the bucket's root. One rule for the whole bucket, which holds nothing but recordings.
        ["/", {}],
      ] as const) {
        const retained = synth({ recordingsRetentionDays: "30", recordingsPrefix: prefix });
        const bucket = retained.stack.getLogicalId(retained.stack.storage.recordingsBucket.node.defaultChild as never);
        const rules = (retained.resources[bucket]!.Properties!.LifecycleConfiguration as { Rules: object[] }).Rules;
        expect(rules).toContainEqual({ Id: "expire-recordings", ExpirationInDays: 30, Status: "Enabled", ...expected });
      }
    });
  });

  describe("Lambdas", () => {
    it("deploys the five functions from their bundles on Node.js 22 / ARM64", () => {
      for (const name of FUNCTION_NAMES) {
        const fn = resources[logicalIdOf(stack, name)]!.Properties!;
        expect(fn, name).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], Handler: "index.handler" });
      }
      // The sixth function is CDK's own S3 notifications custom resource handler (called by CloudFormation).
      template.resourceCountIs("AWS::Lambda::Function", FUNCTION_NAMES.length + 1);
    });

    const invokeConfigOf = (name: FunctionName) =>
      Object.values(resources).find(
        (r) =>
          r.Type === "AWS::Lambda::EventInvokeConfig" &&
          JSON.stringify(r.Properties!.FunctionName) === JSON.stringify({ Ref: logicalIdOf(stack, name) }),
      );
    const invokedByEvents = FUNCTION_NAMES.filter((name) => name !== "webhook-deliver");

    it("gives every function events invoke async retries, a 6 h event age and an SQS on-failure destination", () => {
      for (const name of invokedByEvents) {
        const config = invokeConfigOf(name);
        expect(config, name).toBeDefined();
        expect(config!.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21_600 });
        const destination = (
          config!.Properties!.DestinationConfig as { OnFailure: { Destination: { "Fn::GetAtt": [string, string] } } }
        ).OnFailure.Destination["Fn::GetAtt"][0];
        expect(resources[destination]!.Type, name).toBe("AWS::SQS::Queue");
        expect(resources[destination]!.Properties).toMatchObject({
          MessageRetentionPeriod: 1_209_600,
          SqsManagedSseEnabled: true,
        });
      }
    });

    it("gives webhook-deliver, which its SQS queue invokes, no async settings and no failure queue to watch", () => {
      // An event source mapping invokes synchronously: the deliveries queue's redrive policy takes failures.
      expect(invokeConfigOf("webhook-deliver")).toBeUndefined();
      const outputs = Object.keys(template.findOutputs("*"));
      expect(outputs.filter((id) => id.endsWith("FailureQueueUrl"))).toHaveLength(invokedByEvents.length);
      expect(outputs).not.toContain("DeliverFailureQueueUrl");
      expect(outputs).toContain("WebhookDeadLetterQueueUrl");
      const alarms = Object.keys(template.findResources("AWS::CloudWatch::Alarm"));
      expect(alarms.filter((id) => id.startsWith("Alarmwebhookdeliver"))).toEqual([]);
      expect(alarms.filter((id) => id.includes("DeadLettersAlarm"))).toHaveLength(1);
    });

    it("keeps logs for a bounded time in each function's own log group", () => {
      template.resourceCountIs("AWS::Logs::LogGroup", FUNCTION_NAMES.length);
      template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
      // Retained with the data when the stack is deleted (removalPolicy "retain", the default).
      for (const group of Object.values(template.findResources("AWS::Logs::LogGroup"))) {
        expect(group.DeletionPolicy).toBe("Retain");
      }
      for (const name of FUNCTION_NAMES) {
        const logging = resources[logicalIdOf(stack, name)]!.Properties!.LoggingConfig as { LogGroup: { Ref: string } };
        expect(resources[logging.LogGroup.Ref]!.Type).toBe("AWS::Logs::LogGroup");
      }
    });

    it("gives each function a role with no managed policy that writes only its own log group", () => {
      for (const name of FUNCTION_NAMES) {
        const role = roleOfFunction(resources, logicalIdOf(stack, name));
        expect(resources[role.Ref]!.Properties!.ManagedPolicyArns, name).toBeUndefined();
        const logging = resources[logicalIdOf(stack, name)]!.Properties!.LoggingConfig as { LogGroup: { Ref: string } };
        const logStatements = statementsFor(resources, role).filter((s) =>
          actionsOf(s).some((a) => a.startsWith("logs:")),
        );
        expect(logStatements.flatMap(resourcesOf), name).toEqual([{ "Fn::GetAtt": [logging.LogGroup.Ref, "Arn"] }]);
      }
    });

    it("caps faces-start below Rekognition's 20 concurrent jobs and gives faces-collect the longest timeout", () => {
      const props = (name: FunctionName) => resources[logicalIdOf(stack, name)]!.Properties!;
      expect(props("faces-start").ReservedConcurrentExecutions).toBe(5);
      for (const name of ["submit-job", "job-state", "faces-collect"] as const) {
        expect(props(name).ReservedConcurrentExecutions, name).toBeUndefined();
      }
      const timeouts = FUNCTION_NAMES.map((name) => props(name).Timeout as number);
      expect(props("faces-collect").Timeout).toBe(Math.max(...timeouts));
      expect(props("faces-collect").Timeout).toBeGreaterThanOrEqual(300);
    });

    it("hands each function an environment its own config reader accepts, pointing at this stack's resources", () => {
      const env = (name: FunctionName) => resolvedEnvironment(resources, logicalIdOf(stack, name));
      const bucketName = (bucket: "inputBucket" | "outputBucket") =>
        resolveValue(resources, { Ref: stack.getLogicalId(stack.storage[bucket].node.defaultChild as never) });
      const roleArn = (role: "mediaConvertRole" | "rekognitionRole") =>
        resolveValue(resources, { "Fn::GetAtt": [stack.getLogicalId(stack[role].node.defaultChild as never), "Arn"] });
      const tables = Object.fromEntries(ROLES.map((role) => [role, DEFAULT_TABLES[role]]));

      const submit = readSubmitJobConfig(env("submit-job"));
      expect(submit.tables).toEqual(tables);
      expect(submit.outputBucket).toBe(bucketName("outputBucket"));
      expect(submit.inputBuckets).toEqual([bucketName("inputBucket")]);
      expect(submit.mediaConvert.role).toBe(roleArn("mediaConvertRole"));
      expect(submit.mediaConvert.jobTemplate).toBe("MediaEdgeTest-hls");
      expect(submit.mediaConvert.endpoint).toBeUndefined();

      const jobState = readJobStateConfig(env("job-state"));
      expect(jobState.tables).toEqual(tables);
      expect(jobState.outputBucket).toBe(bucketName("outputBucket"));

      const start = readFacesStartConfig(env("faces-start"));
      expect(start.tables).toEqual(tables);
      expect(start.inputBuckets).toEqual([bucketName("inputBucket")]);
      expect(start.rekognition.roleArn).toBe(roleArn("rekognitionRole"));
      expect(start.rekognition.snsTopicArn).toMatch(/:AmazonRekognition-MediaEdgeTest$/);
      expect(start.analysisBucket).toBe(bucketName("outputBucket"));
      expect(start.analysisPrefix).toBe(DEFAULT_ANALYSIS_PREFIX);

      const collect = readFacesCollectConfig(env("faces-collect"));
      expect(collect.tables).toEqual(tables);
      expect(collect.analysisBucket).toBe(bucketName("outputBucket"));
      expect(collect.analysisPrefix).toBe(start.analysisPrefix);

      const queueUrl = resolveValue(resources, {
        Ref: stack.getLogicalId(stack.webhooks.queue.node.defaultChild as never),
      });
      const deliver = readWebhookDeliverConfig(env("webhook-deliver"));
      expect(deliver.queueUrl).toBe(queueUrl);
      expect(deliver.secretArn).toBe(
        resolveValue(resources, { Ref: stack.getLogicalId(stack.webhooks.secret.node.defaultChild as never) }),
      );
      // No webhookUrls in the context: the producers know the queue but enqueue nothing.
      expect(webhookTargets(env("job-state"))).toBeUndefined();
      expect(env("faces-collect").WEBHOOK_QUEUE_URL).toBe(queueUrl);
    });

    it("sets no variable that the function's code never reads (catches misspelt names)", () => {
      const sourceOf = (dir: string) =>
        readdirSync(dir)
          .filter((file) => file.endsWith(".ts"))
          .map((file) => readFileSync(join(dir, file), "utf8"))
          .join("\n");
      const shared = sourceOf("aws-lambdas/shared") + readFileSync("model/index.ts", "utf8");
      for (const name of FUNCTION_NAMES) {
        const source = sourceOf(join("aws-lambdas", name)) + shared;
        for (const variable of Object.keys(resolvedEnvironment(resources, logicalIdOf(stack, name)))) {
          expect(source, `${name} is given ${variable}`).toContain(`"${variable}"`);
        }
      }
    });

    it("grants each function only the DynamoDB item actions its code sends, table by table", () => {
      const grants = (name: FunctionName) => {
        const byTable: Partial<Record<TableRole, string[]>> = {};
        for (const statement of statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, name)))) {
          const actions = actionsOf(statement).filter((action) => action.startsWith("dynamodb:"));
          for (const arn of resourcesOf(statement).map((resource) => resolveValue(resources, resource))) {
            const role = ROLES.find((r) => arn.endsWith(`:table/${DEFAULT_TABLES[r]}`));
            if (role && actions.length > 0) byTable[role] = [...(byTable[role] ?? []), ...actions].sort();
          }
        }
        return byTable;
      };
      const claims = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];
      expect(grants("submit-job")).toEqual({
        uploadEvents: claims,
        inputFileToJobId: ["dynamodb:PutItem"],
        jobIdToOutput: ["dynamodb:PutItem"],
        jobIdToStatus: ["dynamodb:PutItem"],
      });
      expect(grants("job-state")).toEqual({
        jobIdToStatus: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        jobIdToOutput: ["dynamodb:GetItem"],
      });
      // faces-start never reads the analysis row: every write is conditional (faces-start/rows.ts).
      expect(grants("faces-start")).toEqual({
        uploadEvents: claims,
        faceAnalysis: ["dynamodb:PutItem", "dynamodb:UpdateItem"],
      });
      expect(grants("faces-collect")).toEqual({ faceAnalysis: ["dynamodb:GetItem", "dynamodb:UpdateItem"] });
    });
  });

  describe("EventBridge", () => {
    it("routes the input bucket's Object Created events to submit-job and to faces-start, one rule each", () => {
      const input = stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never);
      for (const name of ["submit-job", "faces-start"] as const) {
        template.hasResourceProperties("AWS::Events::Rule", {
          EventPattern: {
            source: ["aws.s3"],
            "detail-type": ["Object Created"],
            detail: { bucket: { name: [{ Ref: input }] } },
          },
          Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [logicalIdOf(stack, name), "Arn"] } })],
        });
      }
    });

    it("routes media-edge's MediaConvert Job State Change events to job-state", () => {
      template.hasResourceProperties("AWS::Events::Rule", {
        EventPattern: {
          source: ["aws.mediaconvert"],
          "detail-type": ["MediaConvert Job State Change"],
          detail: { userMetadata: { JobCreatedBy: ["media-edge"] } },
        },
        Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [logicalIdOf(stack, "job-state"), "Arn"] } })],
      });
    });

    it("gives every rule target a retry policy and a dead-letter queue", () => {
      const rules = template.findResources("AWS::Events::Rule");
      expect(Object.keys(rules)).toHaveLength(3);
      for (const rule of Object.values(rules)) {
        for (const target of rule.Properties.Targets) {
          expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
          expect(resources[target.DeadLetterConfig.Arn["Fn::GetAtt"][0]]!.Type).toBe("AWS::SQS::Queue");
        }
      }
    });
  });

  describe("MediaConvert", () => {
    it("lets MediaConvert read uploads and write output, nothing more", () => {
      const role = stack.getLogicalId(stack.mediaConvertRole.node.defaultChild as never);
      template.hasResourceProperties("AWS::IAM::Role", {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({ Principal: { Service: "mediaconvert.amazonaws.com" }, Action: "sts:AssumeRole" }),
          ],
        },
      });
      const actions = statementsFor(resources, { Ref: role }).flatMap(actionsOf).sort();
      expect(actions).toEqual(["s3:AbortMultipartUpload", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]);
    });

    it("scopes iam:PassRole to the MediaConvert role (submit-job) and the Rekognition role (faces-start) only", () => {
      const passRoles = allStatements(resources).filter((s) =>
        actionsOf(s).some((a) => a === "iam:PassRole" || a.startsWith("iam:*")),
      );
      expect(passRoles).toHaveLength(2);
      for (const statement of passRoles) {
        expect(actionsOf(statement)).toEqual(["iam:PassRole"]);
        expect(resourcesOf(statement)).toHaveLength(1);
      }
      const mediaConvertRole = {
        "Fn::GetAtt": [stack.getLogicalId(stack.mediaConvertRole.node.defaultChild as never), "Arn"],
      };
      const submitJob = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, "submit-job")));
      expect(submitJob.filter((s) => actionsOf(s).includes("iam:PassRole"))).toEqual([
        expect.objectContaining({
          Resource: mediaConvertRole,
          Condition: { StringEquals: { "iam:PassedToService": "mediaconvert.amazonaws.com" } },
        }),
      ]);
      for (const name of ["job-state", "faces-collect"] as const) {
        const statements = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, name)));
        expect(statements.flatMap(actionsOf), name).not.toContain("iam:PassRole");
      }
    });

    it("lets submit-job create and cancel jobs, not touch other MediaConvert resources", () => {
      const submitJob = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, "submit-job")));
      const jobs = submitJob.filter((s) => actionsOf(s).includes("mediaconvert:CreateJob"));
      expect(jobs).toHaveLength(1);
      const arns = resourcesOf(jobs[0]!).map((r) => resolveValue(resources, r));
      const prefix = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:`;
      expect(arns.slice(0, 3)).toEqual([`${prefix}jobs/*`, `${prefix}queues/*`, `${prefix}presets/*`]);
      expect(arns[3]).toBe(`${prefix}jobTemplates/MediaEdgeTest-hls`);
      expect(arns).toHaveLength(4);
    });

    it("creates the HLS job template submit-job uses, its first output group the HLS group, then the frame captures", () => {
      template.hasResourceProperties("AWS::MediaConvert::JobTemplate", {
        Name: "MediaEdgeTest-hls",
        SettingsJson: {
          OutputGroups: [
            Match.objectLike({
              OutputGroupSettings: Match.objectLike({ Type: "HLS_GROUP_SETTINGS" }),
              // Every rendition fits inside its rung, keeping the aspect ratio, never upscaled or padded.
              Outputs: HLS_LADDER.renditions.map((rendition) =>
                Match.objectLike({
                  NameModifier: rendition.nameModifier,
                  VideoDescription: Match.objectLike({
                    Width: rendition.width,
                    Height: rendition.height,
                    ScalingBehavior: "FIT_NO_UPSCALE",
                  }),
                }),
              ),
            }),
            Match.objectLike({
              OutputGroupSettings: Match.objectLike({ Type: "FILE_GROUP_SETTINGS" }),
              Outputs: HLS_LADDER.frameCaptures!.boxes.map((box) =>
                Match.objectLike({
                  NameModifier: `_thumb${box.width}`,
                  ContainerSettings: { Container: "RAW" },
                  VideoDescription: Match.objectLike({
                    Width: box.width,
                    Height: box.height,
                    ScalingBehavior: "FIT_NO_UPSCALE",
                    CodecSettings: Match.objectLike({
                      Codec: "FRAME_CAPTURE",
                      FrameCaptureSettings: Match.objectLike({
                        FramerateDenominator: HLS_LADDER.frameCaptures!.intervalSeconds,
                      }),
                    }),
                  }),
                }),
              ),
            }),
          ],
        },
      });
    });
  });

  describe("Rekognition", () => {
    it("publishes completions to an AmazonRekognition* topic through a dedicated role, subscribed by faces-collect", () => {
      const topic = stack.getLogicalId(stack.rekognitionTopic.node.defaultChild as never);
      template.hasResourceProperties("AWS::SNS::Topic", { TopicName: "AmazonRekognition-MediaEdgeTest" });
      template.hasResourceProperties("AWS::IAM::Role", {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: "rekognition.amazonaws.com" },
              Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            }),
          ],
        },
      });
      const role = stack.getLogicalId(stack.rekognitionRole.node.defaultChild as never);
      expect(statementsFor(resources, { Ref: role })).toEqual([
        expect.objectContaining({ Action: "sns:Publish", Resource: { Ref: topic } }),
      ]);
      template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "lambda",
        TopicArn: { Ref: topic },
        Endpoint: { "Fn::GetAtt": [logicalIdOf(stack, "faces-collect"), "Arn"] },
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      });
    });

    it("refuses publishing to the topic over plain HTTP", () => {
      const topic = stack.getLogicalId(stack.rekognitionTopic.node.defaultChild as never);
      template.hasResourceProperties("AWS::SNS::TopicPolicy", {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "sns:Publish",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    });

    it("lets faces-start read uploads (Rekognition reads with the caller's rights) and faces-collect write only results", () => {
      const start = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, "faces-start")));
      expect(start.flatMap(actionsOf)).toEqual(
        expect.arrayContaining(["rekognition:StartFaceDetection", "s3:GetObject"]),
      );
      const collect = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, "faces-collect")));
      const puts = collect.filter((s) => actionsOf(s).includes("s3:PutObject"));
      expect(puts).toHaveLength(1);
      expect(JSON.stringify(puts[0]!.Resource)).toContain(`/${DEFAULT_ANALYSIS_PREFIX}*`);
      expect(collect.flatMap(actionsOf)).toContain("rekognition:GetFaceDetection");
    });
  });

  describe("the Worker's identity", () => {
    const READ_ACTIONS = new Set(["dynamodb:GetItem", "dynamodb:Query", "s3:GetObject", "s3:ListBucket"]);

    it("is an IAM user with no access key in the template and no secret in any output", () => {
      template.resourceCountIs("AWS::IAM::User", 1);
      template.resourceCountIs("AWS::IAM::AccessKey", 0);
      const json = JSON.stringify(template.toJSON());
      expect(json).not.toContain('SecretAccessKey"]');
      expect(json).not.toMatch(/"Fn::GetAtt":\["[^"]+","SecretAccessKey"\]/);
      template.hasOutput("WorkerUserName", {
        Value: { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) },
      });
    });

    it("may only read, and write only uploads: no wildcard action, no '*' resource", () => {
      const user = { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) };
      const statements = statementsFor(resources, user).filter((s) => s.Sid !== "DirectUploads");
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe("Allow");
        for (const action of actionsOf(statement)) expect(READ_ACTIONS.has(action), action).toBe(true);
        for (const resource of resourcesOf(statement)) {
          expect(resource).not.toBe("*");
          // Resolved, every resource names one of this stack's tables or buckets.
          expect(resolveValue(resources, resource)).toMatch(/^arn:aws:(dynamodb|s3):/);
        }
      }
    });

    it("reads the job, key and analysis tables but not the Lambdas' idempotency table", () => {
      const user = { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) };
      const tableArns = statementsFor(resources, user)
        .filter((s) => actionsOf(s).includes("dynamodb:GetItem"))
        .flatMap(resourcesOf)
        .map((r) => resolveValue(resources, r));
      for (const role of ["inputFileToJobId", "jobIdToStatus", "jobIdToOutput", "faceAnalysis"] as const) {
        expect(tableArns).toContain(`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${DEFAULT_TABLES[role]}`);
      }
      expect(tableArns.join()).not.toContain(DEFAULT_TABLES.uploadEvents);
      const queries = statementsFor(resources, user).filter((s) => actionsOf(s).includes("dynamodb:Query"));
      expect(queries.flatMap(resourcesOf).map((r) => resolveValue(resources, r))).toEqual([
        `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${DEFAULT_TABLES.faceAnalysis}/index/${FACE_ANALYSIS_JOB_INDEX.name}`,
      ]);
    });

    it("signs uploads with exactly the S3 actions they need, on the input bucket only", () => {
      const user = { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) };
      const uploads = statementsFor(resources, user).filter((s) => s.Sid === "DirectUploads");
      expect(uploads).toHaveLength(1);
      expect(actionsOf(uploads[0]!).sort()).toEqual([
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ]);
      const inputBucket = stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never);
      expect(resourcesOf(uploads[0]!)).toEqual([{ "Fn::Join": ["", [{ "Fn::GetAtt": [inputBucket, "Arn"] }, "/*"]] }]);
      // Every other write action stays off the Worker.
      const writes = statementsFor(resources, user)
        .flatMap(actionsOf)
        .filter((action) => !READ_ACTIONS.has(action));
      expect(writes.sort()).toEqual(["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"]);
    });

    it("describes the user as what its policy allows: reads and uploads, not read-only", () => {
      const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
      expect(outputs.WorkerUserName!.Description).not.toMatch(/read-only/i);
      expect(outputs.WorkerUserName!.Description).toMatch(/upload/);
    });

    it("has no bucket CORS rule unless allowedOrigins is set", () => {
      const input = stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never);
      expect(resources[input]!.Properties!.CorsConfiguration).toBeUndefined();
    });

    it("outputs the wrangler.toml [vars] and how to set the secrets, never a key", () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      const vars = JSON.parse(resolveValue(resources, outputs.WorkerVars!.Value)) as Record<string, string>;
      expect(vars).toMatchObject({
        AWS_REGION: REGION,
        RECORDINGS_PREFIX: "movie",
        // The stack deploys the indexer: its Worker reads the index, in the indexer's layout.
        RECORDINGS_INDEX: "on",
        RECORDING_SEGMENT_SECONDS: "30",
        ANALYSIS_PREFIX: DEFAULT_ANALYSIS_PREFIX,
        TABLE_JOB_ID_TO_STATUS: DEFAULT_TABLES.jobIdToStatus,
      });
      expect(vars.OUTPUT_BUCKET).toBe(vars.ANALYSIS_BUCKET);
      const steps = resolveValue(resources, outputs.WorkerCredentialsSteps!.Value);
      expect(steps).toContain("wrangler secret put AWS_ACCESS_KEY_ID");
      expect(steps).toContain("wrangler secret put AWS_SECRET_ACCESS_KEY");
      for (const key of ["InputBucketName", "OutputBucketName", "RecordingsBucketName", "RekognitionTopicArn"]) {
        expect(outputs[key], key).toBeDefined();
      }
    });

    it("has every output `npm run worker-vars` reads, and they give the same variables as WorkerVars", () => {
      const resolved = resolvedOutputs(template, resources);
      for (const id of Object.keys(WORKER_VAR_OUTPUTS)) expect(resolved[id], id).toBeDefined();
      // No allowedOrigins context: no output, so the environment keeps its hand-written ALLOWED_ORIGINS.
      expect(resolved.AllowedOrigins).toBeUndefined();
      expect(workerVarsFromOutputs(resolved)).toEqual(JSON.parse(resolved.WorkerVars!));
    });

    it("gives `npm run worker-vars` the default upload prefix too: the whole input bucket", () => {
      const resolved = resolvedOutputs(template, resources);
      expect(resolved.InputKeys).toBe("*");
      expect(workerVarsFromOutputs(resolved).INPUT_PREFIX).toBe("");
    });
  });

  describe("webhooks", () => {
    const queueId = () => stack.getLogicalId(stack.webhooks.queue.node.defaultChild as never);
    const dlqId = () => stack.getLogicalId(stack.webhooks.deadLetterQueue.node.defaultChild as never);

    it("queues deliveries FIFO, encrypted, with a FIFO dead-letter queue after ~24 h of receives", () => {
      expect(resources[queueId()]!.Properties).toMatchObject({
        FifoQueue: true,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 4 * 86_400,
        VisibilityTimeout: 720,
        RedrivePolicy: {
          deadLetterTargetArn: { "Fn::GetAtt": [dlqId(), "Arn"] },
          maxReceiveCount: WEBHOOK_MAX_ATTEMPTS,
        },
      });
      expect(resources[dlqId()]!.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
    });

    it("refuses plain HTTP on both queues", () => {
      for (const id of [queueId(), dlqId()]) {
        template.hasResourceProperties("AWS::SQS::QueuePolicy", {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            ]),
          },
        });
      }
    });

    it("feeds webhook-deliver from the queue with partial batch failures", () => {
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: { "Fn::GetAtt": [queueId(), "Arn"] },
        FunctionName: { Ref: logicalIdOf(stack, "webhook-deliver") },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    });

    it("lets the producers only SendMessage to the queue, and only the deliverer read the secret", () => {
      const secretId = stack.getLogicalId(stack.webhooks.secret.node.defaultChild as never);
      for (const name of FUNCTION_NAMES) {
        const statements = statementsFor(resources, roleOfFunction(resources, logicalIdOf(stack, name)));
        const sqsActions = statements
          .filter((st) => resourcesOf(st).some((r) => JSON.stringify(r).includes(queueId())))
          .flatMap(actionsOf)
          .sort();
        const secretReads = statements.filter((st) =>
          resourcesOf(st).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: secretId })),
        );
        if (name === "job-state" || name === "faces-collect") expect(sqsActions, name).toEqual(["sqs:SendMessage"]);
        else if (name === "webhook-deliver") expect(sqsActions).toContain("sqs:ChangeMessageVisibility");
        else expect(sqsActions, name).toEqual([]);
        expect(secretReads.length > 0, name).toBe(name === "webhook-deliver");
      }
    });

    it("passes webhookUrls to the producers", () => {
      const configured = synth({ webhookUrls: "https://hooks.example/a, https://hooks.example/b" });
      for (const name of ["job-state", "faces-collect"] as const) {
        const env = resolvedEnvironment(configured.resources, logicalIdOf(configured.stack, name));
        expect(webhookTargets(env)?.urls, name).toEqual(["https://hooks.example/a", "https://hooks.example/b"]);
      }
      expect(() => synth({ webhookUrls: "ftp://x" })).toThrow(/webhookUrls/);
    });
  });

  it("alarms on every failure and dead-letter queue", () => {
    // The webhook delivery queue is a work queue, not a failure queue: its dead-letter queue has the alarm.
    const deliveries = stack.getLogicalId(stack.webhooks.queue.node.defaultChild as never);
    const queues = Object.keys(template.findResources("AWS::SQS::Queue")).filter((id) => id !== deliveries);
    // A failure queue per function events invoke (not webhook-deliver), undelivered events, webhook dead letters.
    expect(queues).toHaveLength(FUNCTION_NAMES.length - 1 + 2);
    for (const queue of queues) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queue, "QueueName"] } }],
        Threshold: 1,
      });
    }
  });
});

describe("configured for an existing seed deployment", () => {
  let stack: MediaEdgeStack;
  let template: Template;
  let resources: Resources;
  const queueArn = `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/media`;
  beforeAll(
    () =>
      ({ stack, template, resources } = synth({
        existingTables: "inputFileToJobId,jobIdToOutput,jobIdToStatus",
        TABLE_JOB_ID_TO_STATUS: "LegacyStatus",
        inputPrefix: "uploads/",
        mediaConvertJobTemplate: "seed-template",
        mediaConvertQueue: queueArn,
        mediaConvertEndpoint: "https://abcd1234.mediaconvert.ap-northeast-1.amazonaws.com",
        facesStartConcurrency: "none",
        removalPolicy: "destroy",
        allowedOrigins: "https://app.example.com, https://*.example.net http://localhost:3000",
      })),
  );

  it("lets the allowed origins PUT to the input bucket and read the ETag (direct uploads)", () => {
    const input = stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never);
    expect(resources[input]!.Properties!.CorsConfiguration).toEqual({
      CorsRules: [
        {
          Id: "direct-uploads",
          AllowedMethods: ["PUT"],
          AllowedOrigins: ["https://app.example.com", "https://*.example.net", "http://localhost:3000"],
          AllowedHeaders: ["content-type"],
          ExposedHeaders: ["ETag"],
          MaxAge: 3000,
        },
      ],
    });
  });

  it("grants the Worker's upload actions under the upload prefix only, and tells the Worker the prefix", () => {
    const user = { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) };
    const uploads = statementsFor(resources, user).filter((s) => s.Sid === "DirectUploads");
    expect(resourcesOf(uploads[0]!).map((r) => resolveValue(resources, r))).toEqual([
      expect.stringMatching(/^arn:aws:s3:::.+\/uploads\/\*$/),
    ]);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const vars = JSON.parse(resolveValue(resources, outputs.WorkerVars!.Value)) as Record<string, string>;
    expect(vars.INPUT_PREFIX).toBe("uploads/");
    expect(vars.INPUT_BUCKET).toBeDefined();
  });

  it("outputs the upload prefix, so `npm run worker-vars` gives the Worker the prefix the Lambdas select", () => {
    const resolved = resolvedOutputs(template, resources);
    expect(resolved.InputKeys).toBe("uploads/*");
    const vars = workerVarsFromOutputs(resolved);
    expect(vars.INPUT_PREFIX).toBe("uploads/");
    expect(vars).toEqual(JSON.parse(resolved.WorkerVars!));
  });

  it("outputs the bucket's CORS origins, so `npm run worker-vars` gives the Worker the same ALLOWED_ORIGINS", () => {
    const resolved = resolvedOutputs(template, resources);
    const vars = workerVarsFromOutputs(resolved);
    expect(vars.ALLOWED_ORIGINS).toBe("https://app.example.com,https://*.example.net,http://localhost:3000");
    // The Worker reads the value as the same three origins the bucket's rule lists.
    expect(parseAllowedOrigins(vars.ALLOWED_ORIGINS!)).toHaveLength(3);
    expect(vars).toEqual(JSON.parse(resolved.WorkerVars!));
  });

  it("refuses allowedOrigins the Worker would refuse", () => {
    expect(() => readSettings((key) => (key === "allowedOrigins" ? "*" : undefined))).toThrow(/allowedOrigins/);
  });

  it("creates only the two new tables and keeps using the existing ones by name", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 2);
    const env = readSubmitJobConfig(resolvedEnvironment(resources, logicalIdOf(stack, "submit-job")));
    expect(env.tables.jobIdToStatus).toBe("LegacyStatus");
    const user = { Ref: stack.getLogicalId(stack.worker.user.node.defaultChild as never) };
    const arns = statementsFor(resources, user)
      .flatMap(resourcesOf)
      .map((r) => resolveValue(resources, r));
    expect(arns).toContain(`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/LegacyStatus`);
  });

  it("uses the given template, queue and endpoint, and filters events by them", () => {
    template.resourceCountIs("AWS::MediaConvert::JobTemplate", 0);
    const submit = readSubmitJobConfig(resolvedEnvironment(resources, logicalIdOf(stack, "submit-job")));
    expect(submit.mediaConvert).toEqual({
      role: expect.stringMatching(/^arn:aws:iam::/),
      jobTemplate: "seed-template",
      queue: queueArn,
      endpoint: "https://abcd1234.mediaconvert.ap-northeast-1.amazonaws.com",
    });
    expect(submit.inputPrefix).toBe("uploads/");
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({ detail: { userMetadata: { JobCreatedBy: ["media-edge"] }, queue: [queueArn] } }),
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({
        detail: { bucket: Match.anyValue(), object: { key: [{ prefix: "uploads/" }] } },
      }),
    });
  });

  it("lets MediaConvert and faces-start read only the uploads under inputPrefix", () => {
    const reads = (principal: { Ref: string }) =>
      statementsFor(resources, principal)
        .filter((s) => actionsOf(s).includes("s3:GetObject"))
        .flatMap(resourcesOf)
        .map((r) => resolveValue(resources, r));
    const input = resolveValue(resources, {
      Ref: stack.getLogicalId(stack.storage.inputBucket.node.defaultChild as never),
    });
    const mediaConvert = { Ref: stack.getLogicalId(stack.mediaConvertRole.node.defaultChild as never) };
    expect(reads(mediaConvert)).toEqual([`arn:aws:s3:::${input}/uploads/*`]);
    expect(reads(roleOfFunction(resources, logicalIdOf(stack, "faces-start")))).toEqual([
      `arn:aws:s3:::${input}/uploads/*`,
    ]);
  });

  it("drops the reservation and lets throwaway stacks delete their data", () => {
    expect(resources[logicalIdOf(stack, "faces-start")]!.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    for (const table of Object.values(template.findResources("AWS::DynamoDB::Table"))) {
      expect(table.DeletionPolicy).toBe("Delete");
    }
    for (const group of Object.values(template.findResources("AWS::Logs::LogGroup"))) {
      expect(group.DeletionPolicy).toBe("Delete");
    }
  });
});
