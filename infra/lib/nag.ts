/**
 * cdk-nag's AwsSolutions pack over the CDK app, and the one way this app acknowledges a finding.
 *
 * cdk-nag 3 is a CDK validation plugin, not an aspect: synthesis fails while any finding is neither
 * fixed nor acknowledged, and the report lands in the cloud assembly (`validation-report.json`).
 * Every acknowledgement names the rule (and, for IAM5, the one wildcard it accepts) and says why,
 * next to the resource it is about. https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */
import { type App, type CfnElement, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/** Runs the AwsSolutions rules when `app` synthesizes. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Accepts one AwsSolutions finding on `scope` and everything under it. `rule` is the rule id without
 * the pack prefix (`S1`, `SQS3`), or with the finding for granular rules (`IAM5[Resource::*]`).
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

/**
 * The IAM5 finding for a wildcard resource built from a resource's ARN, as cdk-nag spells it:
 * `IAM5[Resource::<LogicalId.Arn>/suffix]`. The logical id is resolved now, so the acknowledgement
 * follows a renamed construct instead of silently going stale.
 */
export function wildcardUnder(resource: CfnElement, suffix: string): string {
  const logicalId = Stack.of(resource).resolve(resource.logicalId) as string;
  return `IAM5[Resource::<${logicalId}.Arn>${suffix}]`;
}
