/**
 * The one settings reader (model/settings-reader.ts), the registry (model/settings.ts) and what is
 * generated from it: the rules every runtime shares, the three runtimes failing alike on the same
 * value, docs/configuration.md being current, and the README, docs/*.md and wrangler.toml naming
 * no setting the registry does not define.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FACES_PER_PAGE } from "../../aws-lambdas/faces-collect/config.ts";
import { ConfigError as LambdaConfigError, lambdaSettings } from "../../aws-lambdas/shared/config.ts";
import { readSettings, SettingsError } from "../../infra/lib/settings.ts";
import { TABLE_ENV_VARS } from "../../model/index.ts";
import { settingsReader } from "../../model/settings-reader.ts";
import {
  allSettings,
  isSecretLambdaSetting,
  LAMBDA_SETTINGS,
  lambdaDefault,
  PIPELINE_LAMBDAS,
  SETTINGS,
  settingSpec,
  WORKER_SETTINGS,
} from "../../model/settings.ts";
import { SETTING_DOCS } from "../../model/settings-docs.ts";
import { MINIMAL_BINDINGS } from "../support/worker-config.ts";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "../../scripts/config-docs.ts";
import { ConfigError as WorkerConfigError, readConfig } from "../../worker/config.ts";

const ROOT = join(import.meta.dirname, "../..");

class Problem extends Error {
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`${setting} ${problem}`);
  }
}

const reader = (values: Record<string, unknown>) =>
  settingsReader<string>(
    (name) => values[name],
    (name, problem) => new Problem(name, problem),
  );

function problemOf(read: () => unknown): Problem {
  try {
    read();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error("expected a Problem");
}

describe("settingsReader rules", () => {
  it("trims text, reads blank as unset, accepts JSON numbers and refuses other types", () => {
    const read = reader({ A: "  x  ", B: "   ", C: 42, D: true, E: { nested: 1 } });
    expect(read.text("A")).toBe("x");
    expect(read.text("B")).toBeUndefined();
    expect(read.text("MISSING")).toBeUndefined();
    expect(read.text("C")).toBe("42");
    expect(problemOf(() => read.text("D")).setting).toBe("D");
    expect(problemOf(() => read.text("E")).problem).toBe("must be a string.");
  });

  it("required: names the setting, with the hint when given", () => {
    const read = reader({});
    expect(problemOf(() => read.required("X")).problem).toBe("is required but not set.");
    expect(problemOf(() => read.required("X", "set it")).problem).toBe("is missing: set it");
  });

  it("integers are whole, non-negative and bounded (the Lambdas used to accept a sign)", () => {
    const read = reader({ N: "12", NEG: "-5", FRAC: "1.5", WORD: "a day", BIG: "4000" });
    expect(read.integer("N", 1, { min: 0, max: 100 })).toBe(12);
    expect(read.integer("MISSING", 7, { min: 0 })).toBe(7);
    expect(problemOf(() => read.integer("NEG", 1, { min: 0 })).problem).toMatch(/whole number/);
    expect(problemOf(() => read.integer("FRAC", 1, { min: 0 })).problem).toMatch(/whole number/);
    expect(problemOf(() => read.integer("WORD", 1, { min: 0 })).problem).toMatch(/whole number/);
    expect(problemOf(() => read.integer("BIG", 1, { min: 0, max: 3600 })).problem).toBe(
      "must be between 0 and 3600, got 4000.",
    );
  });

  it("URLs are absolute http(s), without trailing slashes", () => {
    const read = reader({ U: "http://127.0.0.1:4568//", F: "ftp://x.example.com", R: "localhost:9999", P: "x" });
    expect(read.url("U")).toBe("http://127.0.0.1:4568");
    expect(read.url("MISSING")).toBeUndefined();
    for (const name of ["F", "R", "P"]) expect(problemOf(() => read.url(name)).setting).toBe(name);
  });

  it("bucket and table names follow AWS's naming rules", () => {
    const read = reader({ B: "media.output-1", BAD: "Media_Output", T: "prod.Status", TBAD: "a b" });
    expect(read.bucket("B")).toBe("media.output-1");
    expect(read.bucket("MISSING")).toBeUndefined();
    expect(read.bucket("MISSING", "fallback-bucket")).toBe("fallback-bucket");
    expect(problemOf(() => read.bucket("BAD")).setting).toBe("BAD");
    expect(read.table("T", "x")).toBe("prod.Status");
    expect(problemOf(() => read.table("TBAD", "x")).setting).toBe("TBAD");
  });

  it("prefixes lose outer slashes and refuse control characters, wildcards and dot segments", () => {
    const read = reader({ P: "/faces//", ROOT: "/", NESTED: "a/b/" });
    expect(read.prefix("P", "x")).toBe("faces");
    expect(read.prefix("ROOT", "x")).toBe("");
    expect(read.prefix("NESTED", "x")).toBe("a/b");
    expect(read.prefix("MISSING", "movie/")).toBe("movie");
    for (const bad of ["../movie", "a/./b", "a/..", "faces/*", "what?", "a\u0000b", "tab\tx"]) {
      expect(problemOf(() => reader({ P: bad }).prefix("P", "x")).setting).toBe("P");
    }
  });

  it("lists split on commas and whitespace; oneOf names the allowed values", () => {
    const read = reader({ L: " mp4, MOV  ts,,", E: " , ", O: "open" });
    expect(read.list("L", [])).toEqual(["mp4", "MOV", "ts"]);
    expect(read.list("E", ["x"])).toEqual([]);
    expect(read.list("MISSING", ["x"])).toEqual(["x"]);
    expect(read.oneOf("MISSING", ["public", "signed"], "public")).toBe("public");
    expect(problemOf(() => read.oneOf("O", ["public", "signed"], "public")).problem).toBe(
      'must be "public" or "signed", got "open".',
    );
  });

  it("never echoes a secret's value", () => {
    const secretValue = "not-a-number-but-secret";
    const problem = problemOf(() => reader({ TOKEN_SECRET: secretValue }).integer("TOKEN_SECRET", 0, { min: 0 }));
    expect(problem.message).not.toContain(secretValue);
    expect(problem.message).toContain("TOKEN_SECRET");
  });
});

describe("the three runtimes read a value alike", () => {
  it.each(["a/./b", "faces/*", "../x"])("refuses ANALYSIS_PREFIX %j in the Worker, the Lambdas and infra", (value) => {
    const worker = readConfig({ ...MINIMAL_BINDINGS, ANALYSIS_PREFIX: value });
    expect(worker).toBeInstanceOf(WorkerConfigError);
    expect((worker as WorkerConfigError).variable).toBe("ANALYSIS_PREFIX");
    expect(() => lambdaSettings({ ANALYSIS_PREFIX: value }).prefix("ANALYSIS_PREFIX", "")).toThrow(LambdaConfigError);
    expect(() => readSettings((key) => ({ analysisPrefix: value })[key])).toThrow(SettingsError);
  });

  it("accepts the same prefix as the same folder everywhere", () => {
    const worker = readConfig({ ...MINIMAL_BINDINGS, ANALYSIS_PREFIX: "/results/faces/" });
    if (worker instanceof WorkerConfigError) throw worker;
    expect(worker.analysisPrefix).toBe("results/faces/");
    expect(readSettings((key) => ({ analysisPrefix: "/results/faces/" })[key]).analysisPrefix).toBe("results/faces/");
  });

  it("refuses a negative integer in a Lambda by its format, naming the variable", () => {
    const error = (() => {
      try {
        lambdaSettings({ STATUS_TTL_SECONDS: "-60" }).integer("STATUS_TTL_SECONDS", 1, { min: 0 });
      } catch (caught) {
        return caught as LambdaConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.variable).toBe("STATUS_TTL_SECONDS");
    expect(error.message).toMatch(/whole number/);
  });
});

describe("the registry", () => {
  it("registers every table variable for every runtime of the pipeline, under its own name as the context key", () => {
    for (const name of Object.values(TABLE_ENV_VARS)) {
      const spec = settingSpec(name);
      expect(spec, name).toBeDefined();
      expect(spec?.worker).toBe(true);
      expect(spec?.lambdas).toEqual(PIPELINE_LAMBDAS);
      expect(spec?.infra).toBe(name);
    }
  });

  it("documents every setting in model/settings-docs.ts, and nothing else", () => {
    expect(Object.keys(SETTING_DOCS).sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it("gives every setting a one-line description, and secrets no default", () => {
    for (const [name, spec] of allSettings()) {
      const { description } = SETTING_DOCS[name as keyof typeof SETTING_DOCS];
      expect(description.length, name).toBeGreaterThan(0);
      expect(description, name).not.toContain("\n");
      expect(spec.worker || spec.lambdas?.length || spec.infra, `${name} is read by nobody`).toBeTruthy();
      if (spec.secret) expect(spec.default, name).toBeUndefined();
    }
  });

  it("keeps its defaults equal to the limits the code relies on", () => {
    expect(SETTINGS.FACES_CHUNK_SIZE.default).toBe(MAX_FACES_PER_PAGE);
  });

  it("gives the Lambdas, from WORKER_SETTINGS and LAMBDA_SETTINGS alone, every registered default and secret they read", () => {
    const lambdaNames = allSettings().filter(([, spec]) => spec.lambdas?.length);
    expect(lambdaNames.length).toBeGreaterThan(30);
    for (const [name, spec] of lambdaNames) {
      expect(Object.hasOwn(LAMBDA_SETTINGS, name) || Object.hasOwn(WORKER_SETTINGS, name), name).toBe(true);
      expect(lambdaDefault(name as Parameters<typeof lambdaDefault>[0]), name).toEqual(spec.default);
      expect(isSecretLambdaSetting(name), name).toBe(spec.secret === true);
    }
    expect(isSecretLambdaSetting("WEBHOOK_SECRET")).toBe(true);
    expect(isSecretLambdaSetting("existingTables")).toBe(false);
  });
});

/** UPPER_SNAKE names written as code in Markdown: `NAME` or `NAME=value`. */
function backtickedNames(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)].map((match) => match[1]!));
}

/**
 * Names that are real without being settings: every UPPER_SNAKE token of the source (constants,
 * enum values such as INPUT_INFORMATION, the local stack's and the tests' own variables), except the
 * registry itself and its descriptions. A name in the docs that is in neither set is stale or a typo.
 */
function sourceNames(): Set<string> {
  const names = new Set<string>();
  for (const folder of ["worker", "aws-lambdas", "model", "infra", "local", "bench", "test/support"]) {
    for (const file of readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })) {
      const registry = [join("model", "settings.ts"), join("model", "settings-docs.ts")];
      if (!file.endsWith(".ts") || file.endsWith(".d.ts") || registry.includes(join(folder, file))) continue;
      const text = readFileSync(join(ROOT, folder, file), "utf8");
      for (const match of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) names.add(match[0]);
    }
  }
  return names;
}

/** The seed's own variables, which the docs cite to say what a setting replaces. */
const SEED_NAMES = new Set(["S3_MOVIE_KEY", "TARGET_DURATION", "S3_HOSTING_URL"]);

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs")).filter((file) => file.endsWith(".md"));
  return ["README.md", ...docs.map((file) => join("docs", file))];
}

describe("docs and wrangler.toml against the registry", () => {
  it("docs/configuration.md is what `npm run docs:config` renders, in rows that fit a terminal", async () => {
    const committed = readFileSync(CONFIGURATION_DOC, "utf8");
    expect(committed, "docs/configuration.md is stale: run `npm run docs:config`").toBe(await renderConfigurationDoc());
    for (const line of committed.split("\n")) expect(line.length, line).toBeLessThanOrEqual(120);
  });

  it("README.md and docs/*.md name no setting the registry does not define", () => {
    const known = sourceNames();
    for (const file of markdownFiles()) {
      const unknown = [...backtickedNames(readFileSync(join(ROOT, file), "utf8"))].filter(
        (name) => settingSpec(name) === undefined && !known.has(name) && !SEED_NAMES.has(name),
      );
      expect(unknown, `${file} names settings that do not exist`).toEqual([]);
    }
  });

  it("README.md links to docs/configuration.md, or else names every Worker and Lambda setting", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    if (/\]\((\.\/)?docs\/configuration\.md\)/.test(readme)) return;
    const named = backtickedNames(readme);
    const missing = allSettings()
      .filter(([name, spec]) => (spec.worker || spec.lambdas) && /^[A-Z0-9_]+$/.test(name) && !named.has(name))
      .map(([name]) => name);
    expect(missing, "README.md holds configuration tables that miss settings").toEqual([]);
  });

  it("wrangler.toml [vars] lists only plain Worker settings, every required one, and names only settings", () => {
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const varsSection = /^\[vars\]\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? "";
    const vars = [...varsSection.matchAll(/^([A-Za-z0-9_]+)\s*=/gm)].map((match) => match[1]!);
    expect(vars.length).toBeGreaterThan(0);
    for (const name of vars) {
      const spec = settingSpec(name);
      expect(spec?.worker, `${name} in [vars] is not a Worker setting`).toBe(true);
      expect(spec?.secret, `${name} is a secret: wrangler secret put, never [vars]`).toBeFalsy();
    }
    const requiredPlain = allSettings()
      .filter(([, spec]) => spec.worker && spec.required?.includes("worker") && !spec.secret)
      .map(([name]) => name);
    expect(requiredPlain.filter((name) => !vars.includes(name))).toEqual([]);
    const mentioned = [...toml.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((match) => match[0]);
    expect(mentioned.filter((name) => settingSpec(name)?.worker !== true)).toEqual([]);
  });
});
