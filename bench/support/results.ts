/**
 * bench/results.json: what the last `npm run bench` measured, one list of figures per module, with
 * each CPU figure's ratio to the anchors of the run that measured the anchors. docs/performance.md
 * is rendered from it (scripts/perf-docs.ts), never copied by hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { ANCHORS, type AnchorName, type BenchResult } from "../types.ts";

export const RESULTS_FILE = new URL("../results.json", import.meta.url);

export interface ResultRow extends BenchResult {
  /** value / anchor value, for CPU figures, per anchor. */
  ratios?: Partial<Record<AnchorName, number>>;
}

export interface ModuleResults {
  /** When this module last ran, ISO 8601. */
  measuredAt: string;
  /** The commit it ran on (with "+dirty" when the tree had changes). */
  commit: string;
  /** The 1-minute load average when it started, and the machine's core count. */
  loadAverage: number;
  cores: number;
  rows: ResultRow[];
}

export interface BenchResults {
  modules: Record<string, ModuleResults>;
}

export function readResults(file: URL = RESULTS_FILE): BenchResults {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BenchResults;
  } catch {
    return { modules: {} };
  }
}

/** The anchors' CPU per request, from whichever module measured them. */
export function anchorValues(results: BenchResults): Partial<Record<AnchorName, number>> {
  const anchors: Partial<Record<AnchorName, number>> = {};
  for (const module of Object.values(results.modules)) {
    for (const row of module.rows) if (row.anchor) anchors[row.anchor] = row.value;
  }
  return anchors;
}

/** Adds each CPU figure's ratio to every anchor measured. */
export function withRatios(results: BenchResults): BenchResults {
  const anchors = anchorValues(results);
  const modules: Record<string, ModuleResults> = {};
  for (const [name, module] of Object.entries(results.modules)) {
    const rows = module.rows.map((row) => {
      if (!row.cpu) return row;
      const ratios: Partial<Record<AnchorName, number>> = {};
      for (const anchor of Object.keys(ANCHORS) as AnchorName[]) {
        const base = anchors[anchor];
        if (base) ratios[anchor] = +(row.value / base).toFixed(2);
      }
      return { ...row, ratios };
    });
    modules[name] = { ...module, rows };
  }
  return { modules };
}

export function writeResults(results: BenchResults, file: URL = RESULTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
