/**
 * The CDK app: `npx cdk synth|diff|deploy` runs this file (cdk.json "app"). cdk.json "build" runs
 * `npm run build:lambdas` first, so the bundles in dist/lambdas are always the current code.
 *
 * Settings come from CDK context (cdk.json "context" or `-c key=value`, see infra/lib/settings.ts and
 * infra/README.md). The account and region are the CLI's (profile / AWS_REGION); synthesis itself
 * needs neither credentials nor network.
 */
import { fileURLToPath } from "node:url";
import { App, Tags } from "aws-cdk-lib";
import { MediaEdgeStack } from "../lib/media-edge-stack.ts";
import { addNagChecks } from "../lib/nag.ts";
import { readSettings } from "../lib/settings.ts";

const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));
const stackName = (app.node.tryGetContext("stackName") as string | undefined) ?? "MediaEdge";

const stack = new MediaEdgeStack(app, stackName, {
  description: "media-edge: AWS side of the video pipeline (MediaConvert, Rekognition, tables, buckets).",
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  settings,
  lambdasDir: fileURLToPath(new URL("../../dist/lambdas", import.meta.url)),
});
Tags.of(stack).add("project", "media-edge");
// cdk-nag's AwsSolutions rules: synth (and so deploy) fails on a finding nobody fixed or acknowledged.
addNagChecks(app);

app.synth();
