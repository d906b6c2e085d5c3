/**
 * From stack outputs to wrangler.toml's `[env.<name>.vars]` (infra/lib/worker-vars.ts), and the
 * environments in wrangler.toml itself. Files written here are read back with wrangler's own config
 * reader, so "valid" means what `wrangler deploy --env production` would see.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import {
  envVarsBlock,
  outputsFromCdkFile,
  outputsFromDescribeStacks,
  secretCommands,
  setEnvVars,
  WORKER_SECRETS,
  OPTIONAL_WORKER_VAR_OUTPUTS,
  WORKER_VAR_OUTPUTS,
  workerVarsFromOutputs,
} from "../../infra/lib/worker-vars.ts";
import { DEFAULT_TABLES, TABLE_ENV_VARS, type TableRole } from "../../model/index.ts";

/** Outputs as `cdk deploy --outputs-file` writes them for a deployed MediaEdge stack (plus unrelated ones). */
const OUTPUTS: Record<string, string> = {
  AwsRegion: "eu-west-1",
  OutputBucketName: "mediaedge-storageoutput-1a2b3c",
  RecordingsBucketName: "mediaedge-storagerecordings-4d5e6f",
  RecordingsPrefix: "movie",
  RecordingSegmentSeconds: "10",
  RecordingsIndex: "on",
  AnalysisPrefix: "analysis/faces/",
  TableInputFileToJobId: "MediaConvertInputFileToJobId",
  TableJobIdToOutput: "MediaConvertJobIdToOutput",
  TableJobIdToStatus: "MediaConvertJobIdToStatus",
  TableUploadEvents: "MediaEdgeUploadEvents",
  TableFaceAnalysis: "MediaEdgeFaceAnalysis",
  WorkerUserName: "MediaEdge-WorkerUser-XYZ",
  InputBucketName: "mediaedge-storageinput-7a8b9c",
  InputKeys: "uploads/*",
};

const EXPECTED_VARS = {
  AWS_REGION: "eu-west-1",
  INPUT_BUCKET: "mediaedge-storageinput-7a8b9c",
  INPUT_PREFIX: "uploads/",
  OUTPUT_BUCKET: "mediaedge-storageoutput-1a2b3c",
  ANALYSIS_BUCKET: "mediaedge-storageoutput-1a2b3c",
  RECORDINGS_BUCKET: "mediaedge-storagerecordings-4d5e6f",
  RECORDINGS_PREFIX: "movie",
  RECORDING_SEGMENT_SECONDS: "10",
  RECORDINGS_INDEX: "on",
  ANALYSIS_PREFIX: "analysis/faces/",
  ...Object.fromEntries(
    (Object.keys(DEFAULT_TABLES) as TableRole[]).map((role) => [
      TABLE_ENV_VARS[role],
      OUTPUTS[`Table${role[0]!.toUpperCase()}${role.slice(1)}`],
    ]),
  ),
};

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "media-edge-worker-vars-"));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The vars wrangler would bind for a config file and environment (undefined = top level). */
function wranglerVarsOf(toml: string, env?: string): Record<string, unknown> {
  const file = join(mkdtempSync(join(scratch, "config-")), "wrangler.toml");
  // main is resolved against the config's folder; the file need not exist for reading the config.
  writeFileSync(file, toml);
  return unstable_readConfig({ config: file, ...(env ? { env } : {}) }, { hideWarnings: true }).vars;
}

describe("outputs -> variables", () => {
  it("maps every variable the Worker needs from the stack's outputs, ignoring the others", () => {
    expect(workerVarsFromOutputs(OUTPUTS)).toEqual(EXPECTED_VARS);
  });

  it("gives the Worker the stack's upload prefix, the whole bucket as an empty INPUT_PREFIX", () => {
    expect(workerVarsFromOutputs({ ...OUTPUTS, InputKeys: "*" }).INPUT_PREFIX).toBe("");
    expect(() => workerVarsFromOutputs({ ...OUTPUTS, InputKeys: "uploads/" })).toThrow(
      /InputKeys is "uploads\/", not a key pattern ending in \*/,
    );
  });

  it("gives the Worker the bucket's CORS origins when the stack has them, and leaves ALLOWED_ORIGINS alone when not", () => {
    const origins = "https://app.example.com,https://*.example.net";
    expect(workerVarsFromOutputs({ ...OUTPUTS, AllowedOrigins: origins }).ALLOWED_ORIGINS).toBe(origins);
    expect(workerVarsFromOutputs(OUTPUTS)).not.toHaveProperty("ALLOWED_ORIGINS");
  });

  it("names every missing output instead of writing a half-configured environment", () => {
    const { AwsRegion: _region, TableFaceAnalysis: _table, ...partial } = OUTPUTS;
    expect(() => workerVarsFromOutputs(partial)).toThrow(/lack AwsRegion, TableFaceAnalysis: deploy the current stack/);
  });

  it("reads `cdk deploy --outputs-file` files, picking the stack when there are several", () => {
    expect(outputsFromCdkFile({ MediaEdge: OUTPUTS })).toEqual(OUTPUTS);
    const two = { MediaEdge: OUTPUTS, Other: { X: "y" } };
    expect(() => outputsFromCdkFile(two)).toThrow(/2 stacks \(MediaEdge, Other\): pick one with --stack/);
    expect(outputsFromCdkFile(two, "MediaEdge")).toEqual(OUTPUTS);
    expect(() => outputsFromCdkFile(two, "Missing")).toThrow(/no stack "Missing"/);
    expect(() => outputsFromCdkFile([])).toThrow(/not a JSON object/);
  });

  it("reads DescribeStacks responses", () => {
    const response = {
      Stacks: [
        {
          StackName: "MediaEdge",
          Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
            Description: "d",
          })),
        },
      ],
    };
    expect(outputsFromDescribeStacks(response)).toEqual(OUTPUTS);
    expect(() => outputsFromDescribeStacks({ Stacks: [] })).toThrow(/no stack/);
  });

  it("maps each output id to variables the Worker's config reads", () => {
    const config = readFileSync("worker/config.ts", "utf8") + readFileSync("model/index.ts", "utf8");
    const names = Object.values({ ...WORKER_VAR_OUTPUTS, ...OPTIONAL_WORKER_VAR_OUTPUTS }).flat();
    for (const name of names) expect(config, name).toContain(`"${name}"`);
  });
});

describe("writing [env.<name>.vars]", () => {
  const repoToml = readFileSync("wrangler.toml", "utf8");

  it("fills production from the outputs, leaving the top level and staging as they were", () => {
    const written = setEnvVars(repoToml, "production", EXPECTED_VARS);
    expect(wranglerVarsOf(written, "production")).toMatchObject({
      ...EXPECTED_VARS,
      ALLOWED_ORIGINS: "https://app.example.com",
    });
    expect(wranglerVarsOf(written)).toEqual(wranglerVarsOf(repoToml));
    expect(wranglerVarsOf(written, "staging")).toEqual(wranglerVarsOf(repoToml, "staging"));
    // Every comment survives (the secret commands, the route examples).
    const comments = (text: string) => text.split("\n").filter((line) => line.trimStart().startsWith("#"));
    expect(comments(written)).toEqual(comments(repoToml));
  });

  it("replaces earlier values in place on a second run, and a second identical run changes nothing", () => {
    const once = setEnvVars(repoToml, "production", EXPECTED_VARS);
    expect(setEnvVars(once, "production", EXPECTED_VARS)).toBe(once);
    const moved = setEnvVars(once, "production", { ...EXPECTED_VARS, AWS_REGION: "ap-northeast-1" });
    expect(moved.split("\n")).toHaveLength(once.split("\n").length);
    expect(wranglerVarsOf(moved, "production")).toMatchObject({ AWS_REGION: "ap-northeast-1" });
  });

  it("creates the section of a new environment and quotes awkward values", () => {
    const written = setEnvVars(repoToml, "qa", { ANALYSIS_PREFIX: 'a "quoted"\\path/' });
    expect(wranglerVarsOf(written, "qa")).toEqual({ ANALYSIS_PREFIX: 'a "quoted"\\path/' });
    expect(envVarsBlock("qa", { AWS_REGION: "eu-west-1" })).toBe('[env.qa.vars]\nAWS_REGION = "eu-west-1"\n');
  });

  it("refuses names that would not be a plain environment or variable", () => {
    expect(() => setEnvVars(repoToml, "prod]\n[x", {})).toThrow(/not a wrangler environment name/);
    expect(() => setEnvVars(repoToml, "production", { "A = 1\nB": "x" })).toThrow(/not a variable name/);
  });
});

describe("wrangler.toml environments", () => {
  const repoToml = readFileSync("wrangler.toml", "utf8");

  it("repeats every top-level variable in staging and production", () => {
    // wrangler does not inherit [vars] into environments.
    const top = Object.keys(wranglerVarsOf(repoToml)).sort();
    for (const env of ["staging", "production"]) {
      expect(Object.keys(wranglerVarsOf(repoToml, env)).sort(), env).toEqual(top);
    }
  });

  it("lists the command that sets each secret, and no secret value", () => {
    for (const secret of WORKER_SECRETS) {
      expect(repoToml).toContain(`npx wrangler secret put ${secret.name} --env production`);
      expect(secretCommands("staging").join("\n")).toContain(`npx wrangler secret put ${secret.name} --env staging`);
    }
    for (const env of [undefined, "staging", "production"]) {
      expect(Object.keys(wranglerVarsOf(repoToml, env))).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/SECRET|ACCESS_KEY/)]),
      );
    }
  });
});

/** `npm run worker-vars -- <args>` as a user runs it (tsx, this checkout's script); never throws. */
function runWorkerVars(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "infra/bin/worker-vars.ts", ...args], {
    encoding: "utf8",
    env,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run worker-vars", () => {
  it("writes an outputs file's variables into the named environment and prints the secret commands", () => {
    const dir = mkdtempSync(join(scratch, "cli-"));
    writeFileSync(join(dir, "outputs.json"), JSON.stringify({ MediaEdge: OUTPUTS }));
    writeFileSync(join(dir, "wrangler.toml"), readFileSync("wrangler.toml", "utf8"));
    const run = runWorkerVars([
      "--env",
      "staging",
      "--outputs",
      join(dir, "outputs.json"),
      "--config",
      join(dir, "wrangler.toml"),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const printed = run.stdout;
    expect(printed).toContain("npx wrangler secret put TOKEN_SECRET --env staging");
    expect(wranglerVarsOf(readFileSync(join(dir, "wrangler.toml"), "utf8"), "staging")).toMatchObject(EXPECTED_VARS);
  });

  it("fails with the missing outputs named and leaves wrangler.toml alone", () => {
    const dir = mkdtempSync(join(scratch, "cli-"));
    writeFileSync(join(dir, "outputs.json"), JSON.stringify({ MediaEdge: { AwsRegion: "eu-west-1" } }));
    writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\n');
    const { stderr } = runWorkerVars([
      "--env",
      "production",
      "--outputs",
      join(dir, "outputs.json"),
      "--config",
      join(dir, "wrangler.toml"),
    ]);
    expect(stderr).toMatch(/^worker-vars: The stack outputs lack InputBucketName, InputKeys, OutputBucketName/);
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe('name = "x"\n');
  });

  it("with --stack, turns a failed `aws cloudformation describe-stacks` into one line, not a stack trace", () => {
    const dir = mkdtempSync(join(scratch, "cli-"));
    // An AWS CLI that fails as it does without a region or a login: its message on stderr, exit 255.
    writeFileSync(join(dir, "aws"), '#!/bin/sh\necho "You must specify a region." >&2\nexit 255\n', { mode: 0o755 });
    writeFileSync(join(dir, "wrangler.toml"), 'name = "x"\n');
    const failure = runWorkerVars(
      ["--env", "production", "--stack", "MediaEdge", "--config", join(dir, "wrangler.toml")],
      { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` },
    );
    expect(failure.status).toBe(1);
    expect(failure.stderr).toContain("You must specify a region.");
    expect(failure.stderr).toMatch(
      /^worker-vars: aws cloudformation describe-stacks --stack-name MediaEdge failed \(exit 255/m,
    );
    expect(failure.stderr).not.toMatch(/^\s+at /m);
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe('name = "x"\n');
  });
});
