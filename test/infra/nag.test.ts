/**
 * cdk-nag's AwsSolutions pack over the synthesized stack, as `cdk synth` runs it (infra/bin): zero
 * findings that are neither fixed nor acknowledged, for the default settings and for a deployment
 * over the seed's tables. Acknowledgements live next to their resources (infra/lib/nag.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import * as sns from "aws-cdk-lib/aws-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambdas } from "../../aws-lambdas/build.ts";
import { FUNCTION_NAMES, MediaEdgeStack } from "../../infra/lib/media-edge-stack.ts";
import { addNagChecks } from "../../infra/lib/nag.ts";
import { readSettings } from "../../infra/lib/settings.ts";
import { ACCOUNT, REGION } from "./template-values.ts";

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
  }>;
}

let scratch: string;
let lambdasDir: string;

/**
 * Synthesizes an app with the AwsSolutions checks and returns every unacknowledged finding as
 * "rule at construct path" (empty when synthesis passed).
 */
function nagFindings(build: (app: App) => void): string[] {
  const outdir = mkdtempSync(join(scratch, "out-"));
  const app = new App({ outdir });
  build(app);
  addNagChecks(app);
  try {
    app.synth();
    return [];
  } catch (error) {
    const reportFile = join(outdir, "validation-report.json");
    if (!existsSync(reportFile)) throw error;
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as ValidationReport;
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
      ),
    );
  }
}

function mediaEdge(context: Record<string, string>): (app: App) => void {
  return (app) =>
    new MediaEdgeStack(app, "MediaEdgeNag", {
      env: { account: ACCOUNT, region: REGION },
      settings: readSettings((key) => context[key]),
      lambdasDir,
    });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "media-edge-nag-"));
  lambdasDir = join(scratch, "lambdas");
  await buildLambdas({ outDir: lambdasDir, names: [...FUNCTION_NAMES] });
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// A synthesis with the whole rule pack takes seconds of CPU; on a busy machine, several times that.
describe("cdk-nag AwsSolutions", { timeout: 180_000 }, () => {
  it("reports an unfixed finding, so a clean run means something", () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, "Plain", { env: { account: ACCOUNT, region: REGION } });
      new sns.Topic(stack, "Topic");
    });
    expect(findings).toContain("AwsSolutions-SNS3 at Plain/Topic/Resource");
  });

  it("finds nothing unacknowledged in the stack with default settings", () => {
    expect(nagFindings(mediaEdge({}))).toEqual([]);
  });

  it("finds nothing unacknowledged in a stack over the seed's tables, template and queue", () => {
    const findings = nagFindings(
      mediaEdge({
        existingTables: "inputFileToJobId,jobIdToOutput,jobIdToStatus",
        inputPrefix: "uploads/",
        recordingsPrefix: "recorder/cam-1",
        analysisPrefix: "faces",
        mediaConvertJobTemplate: "seed-template",
        mediaConvertQueue: `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/media`,
        facesStartConcurrency: "none",
        removalPolicy: "destroy",
      }),
    );
    expect(findings).toEqual([]);
  });
});
