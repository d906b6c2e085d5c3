/**
 * From the stack's CloudFormation outputs to the Worker's variables for one wrangler environment:
 * which output sets which variable, reading the two shapes the outputs come in (`cdk deploy
 * --outputs-file` and DescribeStacks), and writing them into wrangler.toml's `[env.<name>.vars]`.
 *
 * Pure: text and plain objects in and out. The stack names its outputs with these ids
 * (media-edge-stack.ts), so the mapping and the template cannot drift apart (test/infra).
 */
import { TABLE_ENV_VARS, type TableRole } from "../../model/index.ts";

/** The stack output that holds a table's name: `TableJobIdToStatus` for `jobIdToStatus`. */
export function tableOutputId(role: TableRole): string {
  return `Table${role[0]!.toUpperCase()}${role.slice(1)}`;
}

/**
 * The input bucket's upload keys as the stack outputs them (output InputKeys): `<inputPrefix>*`, so
 * "*" when every key is an upload. Not the bare prefix: its default "" would be an empty output
 * value, which CloudFormation asks every output not to be (its Value is required), and which
 * worker-vars could not tell from a stack too old to have the output.
 */
export function inputKeysOutput(inputPrefix: string): string {
  return `${inputPrefix}*`;
}

/** Stack output id -> the Worker variables it sets (worker/config.ts reads them). */
export const WORKER_VAR_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  AwsRegion: ["AWS_REGION"],
  // Direct uploads (worker/routes/uploads.ts) go to the input bucket, under the prefix the Lambdas'
  // event rules select: a presigned upload outside it would never be transcoded.
  InputBucketName: ["INPUT_BUCKET"],
  InputKeys: ["INPUT_PREFIX"],
  // Face results live in the output bucket, under the analysis prefix.
  OutputBucketName: ["OUTPUT_BUCKET", "ANALYSIS_BUCKET"],
  RecordingsBucketName: ["RECORDINGS_BUCKET"],
  RecordingsPrefix: ["RECORDINGS_PREFIX"],
  RecordingSegmentSeconds: ["RECORDING_SEGMENT_SECONDS"],
  // "on": the stack deploys the recording indexer (docs/recording-index.md).
  RecordingsIndex: ["RECORDINGS_INDEX"],
  AnalysisPrefix: ["ANALYSIS_PREFIX"],
  ...Object.fromEntries(
    (Object.keys(TABLE_ENV_VARS) as TableRole[]).map((role) => [tableOutputId(role), [TABLE_ENV_VARS[role]]]),
  ),
};

/**
 * Outputs the stack has for some settings only, and the variables they set when present. AllowedOrigins:
 * the `allowedOrigins` context, the input bucket's CORS origins. The Worker's ALLOWED_ORIGINS must be
 * the same, or a browser upload the Worker signs fails at the bucket's preflight. Without the context
 * (no browser uploads) there is no output and the environment keeps the ALLOWED_ORIGINS written by hand.
 */
export const OPTIONAL_WORKER_VAR_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  AllowedOrigins: ["ALLOWED_ORIGINS"],
};

/**
 * The Worker's secrets: never in wrangler.toml, set per environment with `wrangler secret put`.
 * The AWS pair is the access key of the stack's Worker user (output WorkerUserName).
 */
export const WORKER_SECRETS = [
  {
    name: "AWS_ACCESS_KEY_ID",
    required: true,
    what: "AccessKeyId of `aws iam create-access-key --user-name <WorkerUserName>`",
  },
  { name: "AWS_SECRET_ACCESS_KEY", required: true, what: "SecretAccessKey printed by the same command" },
  { name: "TOKEN_SECRET", required: true, what: "32+ random characters, e.g. `openssl rand -base64 48`" },
  { name: "TOKEN_SECRET_PREVIOUS", required: false, what: "the old TOKEN_SECRET while rotating it" },
] as const;

/** Outputs that are missing or unusable. */
export class WorkerVarsError extends Error {
  override name = "WorkerVarsError";
}

/** The prefix of an InputKeys output (inputKeysOutput). */
function prefixOfKeys(id: string, pattern: string): string {
  if (!pattern.endsWith("*")) throw new WorkerVarsError(`${id} is "${pattern}", not a key pattern ending in *.`);
  return pattern.slice(0, -1);
}

/** Outputs whose value is not yet the variables' value, and how to make it so. */
const OUTPUT_VALUES: Readonly<Record<string, (id: string, value: string) => string>> = {
  InputKeys: prefixOfKeys,
};

/** The Worker's variables from a stack's outputs (output id -> value); throws naming missing outputs. */
export function workerVarsFromOutputs(outputs: Readonly<Record<string, string>>): Record<string, string> {
  const missing = Object.keys(WORKER_VAR_OUTPUTS).filter((id) => typeof outputs[id] !== "string");
  if (missing.length > 0) {
    throw new WorkerVarsError(
      `The stack outputs lack ${missing.join(", ")}: deploy the current stack (npm run deploy:aws) first.`,
    );
  }
  const vars: Record<string, string> = {};
  for (const [id, names] of Object.entries({ ...WORKER_VAR_OUTPUTS, ...OPTIONAL_WORKER_VAR_OUTPUTS })) {
    if (typeof outputs[id] !== "string") continue;
    const value = OUTPUT_VALUES[id]?.(id, outputs[id]) ?? outputs[id];
    for (const name of names) vars[name] = value;
  }
  return vars;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One stack's outputs from a `cdk deploy --outputs-file` file: `{ "<stack>": { "<output id>": "<value>" } }`.
 * `stackName` picks the stack; it may be left out when the file holds exactly one.
 */
export function outputsFromCdkFile(json: unknown, stackName?: string): Record<string, string> {
  if (!isRecord(json)) throw new WorkerVarsError("The outputs file is not a JSON object of stacks.");
  const stacks = Object.keys(json);
  const name = stackName ?? (stacks.length === 1 ? stacks[0]! : undefined);
  if (name === undefined) {
    throw new WorkerVarsError(
      `The outputs file holds ${stacks.length} stacks (${stacks.join(", ")}): pick one with --stack.`,
    );
  }
  const outputs = json[name];
  if (!isRecord(outputs))
    throw new WorkerVarsError(`The outputs file has no stack "${name}" (it has ${stacks.join(", ")}).`);
  return Object.fromEntries(
    Object.entries(outputs).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** The outputs of `aws cloudformation describe-stacks --stack-name X` (the DescribeStacks response). */
export function outputsFromDescribeStacks(json: unknown): Record<string, string> {
  const stack = isRecord(json) && Array.isArray(json.Stacks) ? (json.Stacks[0] as unknown) : undefined;
  if (!isRecord(stack)) throw new WorkerVarsError("DescribeStacks returned no stack.");
  const outputs = Array.isArray(stack.Outputs) ? (stack.Outputs as unknown[]) : [];
  return Object.fromEntries(
    outputs
      .filter(isRecord)
      .filter((output) => typeof output.OutputKey === "string" && typeof output.OutputValue === "string")
      .map((output) => [output.OutputKey as string, output.OutputValue as string]),
  );
}

// https://developers.cloudflare.com/workers/wrangler/environments/ : a plain name, used in `--env`.
const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** A TOML basic string; JSON's escapes are a subset of TOML's for the characters JSON escapes. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * wrangler.toml text with `vars` set in `[env.<env>.vars]`: existing keys are replaced in place,
 * new ones appended to the section, which is created at the end when absent. Comments and every
 * other line stay as they are.
 */
export function setEnvVars(toml: string, env: string, vars: Readonly<Record<string, string>>): string {
  if (!ENV_NAME.test(env)) throw new WorkerVarsError(`"${env}" is not a wrangler environment name.`);
  const lines = toml.replace(/\n*$/, "").split("\n");
  const header = `[env.${env}.vars]`;
  let start = lines.findIndex((line) => line.trim() === header);
  if (start === -1) {
    lines.push("", header);
    start = lines.length - 1;
  }
  let end = lines.findIndex((line, index) => index > start && /^\s*\[/.test(line));
  if (end === -1) end = lines.length;
  // New keys go after the section's last key, before any blank lines or comments that lead into the next table.
  let insertAt = end;
  while (insertAt - 1 > start && /^\s*(#.*)?$/.test(lines[insertAt - 1]!)) insertAt--;
  const added: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new WorkerVarsError(`"${name}" is not a variable name.`);
    const line = `${name} = ${tomlString(value)}`;
    const existing = lines.findIndex(
      (text, index) => index > start && index < end && new RegExp(`^\\s*${name}\\s*=`).test(text),
    );
    if (existing === -1) added.push(line);
    else lines[existing] = line;
  }
  lines.splice(insertAt, 0, ...added);
  return `${lines.join("\n")}\n`;
}

/** The commands that set each secret of an environment. */
export function secretCommands(env: string): string[] {
  return WORKER_SECRETS.map(
    (secret) =>
      `npx wrangler secret put ${secret.name} --env ${env}   # ${secret.required ? "" : "optional: "}${secret.what}`,
  );
}

/** A `[env.<env>.vars]` block to paste, for `--print`. */
export function envVarsBlock(env: string, vars: Readonly<Record<string, string>>): string {
  return setEnvVars("", env, vars).replace(/^\n+/, "");
}
