/**
 * docs/performance.md is generated from bench/results.json (scripts/perf-docs.ts): no figure is
 * copied by hand, so the doc and the results file must agree.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readResults } from "../../bench/support/results.ts";
import { PERFORMANCE_DOC, renderPerformanceDoc } from "../../scripts/perf-docs.ts";

describe("docs/performance.md", () => {
  const results = readResults();
  const doc = readFileSync(PERFORMANCE_DOC, "utf8");

  it("is what `npm run docs:perf` renders from bench/results.json", async () => {
    expect(Object.keys(results.modules).length, "bench/results.json is missing or empty").toBeGreaterThan(0);
    expect(doc, "docs/performance.md is stale: run `npm run docs:perf`").toBe(await renderPerformanceDoc(results));
  });

  it("shows every figure of bench/results.json with its unit, and its verdict when it has a goal", () => {
    const rows = tableRows(doc);
    for (const module of Object.values(results.modules)) {
      for (const row of module.rows) {
        const value = `${row.value} ${row.unit}`;
        expect(
          rows.some((cells) => cells[0] === row.name && cells[1] === value),
          `${row.name}: ${value}`,
        ).toBe(true);
        if (row.goal === undefined) continue;
        const verdict = row.ok ? "met" : "**missed**";
        expect(
          rows.some(
            (cells) => cells[1] === row.name && cells[2] === value && cells[3] === row.goal && cells[4] === verdict,
          ),
          `goal row of ${row.name}`,
        ).toBe(true);
      }
    }
  });

  it("gives every Worker CPU figure as a ratio to each anchor measured", () => {
    const anchors = Object.values(results.modules).flatMap((module) => module.rows.filter((row) => row.anchor));
    for (const module of Object.values(results.modules)) {
      for (const row of module.rows.filter((candidate) => candidate.cpu)) {
        for (const anchor of anchors) {
          expect(row.ratios?.[anchor.anchor!], `${row.name} / ${anchor.name}`).toBeCloseTo(row.value / anchor.value, 1);
        }
      }
    }
  });
});

/** The cells of every Markdown table row in the doc (prettier pads them; an escaped pipe stays in its cell). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, "|")),
    );
}
