/** One measured figure in `npm run bench` output. */
export interface BenchResult {
  /** What was measured, e.g. "status cache hit: median CPU per request". */
  name: string;
  value: number;
  unit: string;
  /** The target from the issue, when there is one, e.g. "< 50 KiB gzip". */
  goal?: string;
  /** Whether the goal is met; absent when there is no goal. */
  ok?: boolean;
}
