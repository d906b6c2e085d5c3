/**
 * `npm run bench`: runs every bench module in bench/ (each exports `run(): Promise<BenchResult[]>`)
 * one after another (they start their own local servers) and prints one table.
 * `npm run bench -- worker hls` runs only those modules.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && !["run.ts", "types.ts"].includes(name))
  .map((name) => basename(name, ".ts"))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

const rows: Array<BenchResult & { module: string }> = [];
let failed = false;
for (const module of modules) {
  process.stdout.write(`bench ${module}...\n`);
  const started = Date.now();
  try {
    const { run } = (await import(pathToFileURL(join(here, `${module}.ts`)).href)) as {
      run: () => Promise<BenchResult[]>;
    };
    for (const result of await run()) rows.push({ ...result, module });
    process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(`  failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}

const header = ["module", "measure", "value", "goal", ""];
const table = rows.map((row) => [
  row.module,
  row.name,
  `${row.value} ${row.unit}`,
  row.goal ?? "",
  row.ok === undefined ? "" : row.ok ? "ok" : "MISSED",
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => row[column]!.length)));
const line = (cells: string[]) =>
  cells
    .map((cell, column) => cell.padEnd(widths[column]!))
    .join("  ")
    .trimEnd();
console.log(`\n${line(header)}\n${widths.map((width) => "-".repeat(width)).join("  ")}`);
for (const row of table) console.log(line(row));
process.exit(failed ? 1 : 0);
