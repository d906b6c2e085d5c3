/**
 * `npm run reindex`'s pure parts: the plan (aws-lambdas/recording-index/reindex.ts) and the
 * command line (local/reindex-options.ts). The run itself is tested against the local S3 server in
 * test/lambdas/reindex.test.ts.
 */
import { describe, expect, it } from "vitest";
import { planReindex } from "../../aws-lambdas/recording-index/reindex.ts";
import { parseReindexArguments, parseTime } from "../../local/reindex-options.ts";

const DAY = 86_400;
const T0 = Date.UTC(2024, 0, 2) / 1000; // 2024-01-02T00:00:00Z, the start of an index span

describe("planReindex", () => {
  const spans = (targets: ReturnType<typeof planReindex>) =>
    targets.map(({ streamPrefix, day }) => [streamPrefix, day]);

  it("each stream from its first segment to now, in two-day spans, with the neighbour carrying an edge hour", () => {
    const streams = [
      { streamPrefix: "movie/", firstSegment: T0 + 5 * 3600 },
      // First segment in a span's first hour: the span before carries that hour, so it is rebuilt too.
      { streamPrefix: "movie/cam1/", firstSegment: T0 + 60 },
      // No segment found and no --from: nothing to index.
      { streamPrefix: "movie/empty/" },
    ];
    const targets = planReindex("b", streams, { nowSeconds: T0 + 2 * DAY + 7200 });
    expect(targets.every((target) => target.bucket === "b")).toBe(true);
    expect(spans(targets)).toEqual([
      ["movie/", T0],
      ["movie/", T0 + 2 * DAY],
      ["movie/cam1/", T0 - 2 * DAY],
      ["movie/cam1/", T0],
      ["movie/cam1/", T0 + 2 * DAY],
    ]);
  });

  it("--from and --to replace the first segment and now, for every stream", () => {
    const streams = [{ streamPrefix: "movie/cam1/", firstSegment: T0 - 10 * DAY }, { streamPrefix: "movie/empty/" }];
    const range = { from: T0 + 3600, to: T0 + 2 * DAY - 3600, nowSeconds: T0 + 30 * DAY };
    expect(spans(planReindex("b", streams, range))).toEqual([
      ["movie/cam1/", T0],
      ["movie/empty/", T0],
    ]);
    // A range that ends in the present (or past it): the span of now is the last.
    expect(spans(planReindex("b", streams.slice(0, 1), { from: T0 + 3600, nowSeconds: T0 + 3 * DAY }))).toEqual([
      ["movie/cam1/", T0],
      ["movie/cam1/", T0 + 2 * DAY],
    ]);
  });
});

describe("npm run reindex arguments", () => {
  it("dates are 00:00 UTC; times need their zone; impossible dates are refused", () => {
    expect(parseTime("2024-01-02")).toBe(T0);
    expect(parseTime("2024-01-02T13:00:00Z")).toBe(T0 + 13 * 3600);
    expect(parseTime("2024-01-02T13:00+01:00")).toBe(T0 + 12 * 3600);
    expect(parseTime("2024-01-02T13:00:00.900Z")).toBe(T0 + 13 * 3600);
    for (const bad of ["2024-01-02T13:00:00", "2024-02-30", "2024-13-01", "yesterday", "1704153600", ""]) {
      expect(parseTime(bad)).toBeUndefined();
    }
  });

  it("streams (repeatable, '' = unnamed), range, switches and defaults", () => {
    expect(parseReindexArguments([])).toEqual({
      streams: [],
      from: undefined,
      to: undefined,
      onlyStale: false,
      dryRun: false,
      concurrency: 4,
      aws: false,
      help: false,
    });
    expect(
      parseReindexArguments([
        "--stream",
        "cam1",
        "--stream=site/cam2",
        "--stream",
        "",
        "--from=2024-01-02",
        "--to",
        "2024-01-03",
        "--only-stale",
        "--dry-run",
        "--concurrency",
        "8",
        "--aws",
      ]),
    ).toEqual({
      streams: ["cam1", "site/cam2", ""],
      from: T0,
      to: T0 + DAY,
      onlyStale: true,
      dryRun: true,
      concurrency: 8,
      aws: true,
      help: false,
    });
  });

  it("each problem is a message naming the argument", () => {
    const problem = (argv: string[]) => {
      try {
        parseReindexArguments(argv);
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(problem(["--from", "2024-01-02T00:00"])).toMatch(/^--from "2024-01-02T00:00" is not a date/);
    expect(problem(["--from", "2024-01-03", "--to", "2024-01-02"])).toBe("--from must be before --to");
    expect(problem(["--from", "2024-01-02", "--to", "2024-01-02"])).toBe("--from must be before --to");
    expect(problem(["--stream", "../cam"])).toMatch(/^--stream "\.\.\/cam": letters, digits/);
    expect(problem(["--stream"])).toBe("--stream needs a value");
    expect(problem(["--concurrency", "33"])).toMatch(/^--concurrency "33" is not a whole number from 1 to 32/);
    expect(problem(["--concurrency", "2.5"])).toMatch(/^--concurrency "2.5"/);
    expect(problem(["--only-stale=yes"])).toBe("--only-stale takes no value");
    expect(problem(["--force"])).toBe("Unknown option --force");
    expect(problem(["cam1"])).toMatch(/^Unexpected argument "cam1"/);
  });
});
