/**
 * `npm run bench`: runs every bench module in bench/ (each exports `run(): Promise<BenchResult[]>`)
 * one after another (they start their own local servers; tools that are not modules, such as the
 * callgrind counters, live in sub-folders), prints one table with every CPU figure as
 * a ratio to the anchors (bench/anchors/), writes bench/results.json and renders
 * docs/performance.md from it. `npm run bench -- worker hls` runs only those modules and keeps the
 * other modules' last figures in results.json.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERFORMANCE_DOC, writePerformanceDoc } from "../scripts/perf-docs.ts";
import { RESULTS_FILE, readResults, withRatios, writeResults, type ModuleResults } from "./support/results.ts";
import { ANCHORS, type AnchorName, type BenchResult } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && !["run.ts", "types.ts"].includes(name))
  .map((name) => basename(name, ".ts"))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

/**
 * The commit measured, "+dirty" when tracked files differ from it. The bench's own outputs do not
 * count: a second run right after a first would otherwise always be "+dirty", for figures alone.
 */
function commit(): string {
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
  const outputs = [fileURLToPath(RESULTS_FILE), PERFORMANCE_DOC].map((path) => `:(exclude)${path}`);
  const changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ...outputs);
  return `${git("rev-parse", "--short", "HEAD")}${changed ? "+dirty" : ""}`;
}

async function runModule(module: string): Promise<ModuleResults> {
  const context = {
    measuredAt: new Date().toISOString(),
    commit: commit(),
    loadAverage: +loadavg()[0]!.toFixed(1),
    cores: cpus().length,
  };
  const { run } = (await import(pathToFileURL(join(here, `${module}.ts`)).href)) as {
    run: () => Promise<BenchResult[]>;
  };
  return { ...context, rows: await run() };
}

const results = readResults();
let failed = false;
for (const module of modules) {
  process.stdout.write(`bench ${module}...\n`);
  const started = Date.now();
  try {
    results.modules[module] = await runModule(module);
    process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(`  failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}
const final = withRatios(results);
writeResults(final);
await writePerformanceDoc(final);

const anchors = Object.keys(ANCHORS) as AnchorName[];
const header = ["module", "measure", "value", ...anchors.map((anchor) => `x ${anchor}`), "goal", ""];
const table = modules.flatMap((module) =>
  (final.modules[module]?.rows ?? []).map((row) => [
    module,
    row.name,
    `${row.value} ${row.unit}`,
    ...anchors.map((anchor) => (row.ratios?.[anchor] === undefined ? "" : `${row.ratios[anchor]}x`)),
    row.goal ?? "",
    row.ok === undefined ? "" : row.ok ? "met" : "MISSED",
  ]),
);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => row[column]!.length)));
const line = (cells: string[]) =>
  cells
    .map((cell, column) => cell.padEnd(widths[column]!))
    .join("  ")
    .trimEnd();
console.log(`\n${line(header)}\n${widths.map((width) => "-".repeat(width)).join("  ")}`);
for (const row of table) console.log(line(row));
console.log(
  `\nanchors: ${anchors.map((anchor) => `x ${anchor} = ratio to the ${ANCHORS[anchor]} (CPU per request, same run)`).join("; ")}`,
);
console.log("wrote bench/results.json and docs/performance.md");
process.exit(failed ? 1 : 0);
