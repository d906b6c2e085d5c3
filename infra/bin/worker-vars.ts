/**
 * `npm run worker-vars -- --env production [--outputs cdk-outputs.json | --stack MediaEdge] [--print]`
 *
 * Turns the stack's CloudFormation outputs into the Worker's variables for one wrangler environment
 * and writes them into wrangler.toml's `[env.<env>.vars]` (or, with --print, prints the block), then
 * prints the `wrangler secret put` commands that environment still needs. The outputs come from
 * `npm run deploy:aws -- --outputs-file cdk-outputs.json`, or straight from CloudFormation
 * (`aws cloudformation describe-stacks`, with your AWS CLI profile) when only --stack is given.
 * The mapping itself is infra/lib/worker-vars.ts.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  envVarsBlock,
  outputsFromCdkFile,
  outputsFromDescribeStacks,
  secretCommands,
  setEnvVars,
  workerVarsFromOutputs,
  WorkerVarsError,
} from "../lib/worker-vars.ts";

const USAGE =
  "usage: npm run worker-vars -- --env <staging|production> [--outputs cdk-outputs.json | --stack <name>] " +
  "[--config wrangler.toml] [--print]";

function readOutputs(outputsFile: string | undefined, stack: string | undefined): Record<string, string> {
  if (outputsFile !== undefined) return outputsFromCdkFile(JSON.parse(readFileSync(outputsFile, "utf8")), stack);
  if (stack === undefined) throw new WorkerVarsError(`Give --outputs <file> or --stack <name>.\n${USAGE}`);
  let json: string;
  try {
    json = execFileSync("aws", ["cloudformation", "describe-stacks", "--stack-name", stack, "--output", "json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } catch (error) {
    const { status } = error as { status?: number | null };
    // The CLI has said why on stderr (inherited): no region, no login, no such stack. Not found at all
    // (ENOENT) falls through to the generic message with its code.
    if (typeof status !== "number") throw error;
    throw new WorkerVarsError(
      `aws cloudformation describe-stacks --stack-name ${stack} failed (exit ${status}, its message is above): ` +
        "check the AWS CLI's login and region (AWS_REGION), and the stack name, or give --outputs cdk-outputs.json.",
    );
  }
  return outputsFromDescribeStacks(JSON.parse(json));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      env: { type: "string" },
      outputs: { type: "string" },
      stack: { type: "string" },
      config: { type: "string", default: "wrangler.toml" },
      print: { type: "boolean", default: false },
    },
  });
  if (values.env === undefined) throw new WorkerVarsError(`--env is required.\n${USAGE}`);
  const vars = workerVarsFromOutputs(readOutputs(values.outputs, values.stack));
  if (values.print) {
    process.stdout.write(envVarsBlock(values.env, vars));
  } else {
    writeFileSync(values.config, setEnvVars(readFileSync(values.config, "utf8"), values.env, vars));
    console.log(`Wrote ${Object.keys(vars).length} variables into ${values.config} [env.${values.env}.vars].`);
  }
  console.log(`\nSecrets of ${values.env} (once each; never in wrangler.toml):`);
  for (const command of secretCommands(values.env)) console.log(`  ${command}`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof WorkerVarsError || error instanceof SyntaxError || (error as { code?: string }).code))
    throw error;
  console.error(`worker-vars: ${(error as Error).message}`);
  process.exitCode = 1;
}
