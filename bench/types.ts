/** The anchors every CPU figure is printed against (bench/anchors/, measured in the same run). */
export const ANCHORS = {
  bare: "bare Hono route",
  aws4fetch: "Hono + aws4fetch GetItem",
  sdk: "Hono + AWS SDK GetItem",
} as const;
export type AnchorName = keyof typeof ANCHORS;

/** One measured figure in `npm run bench` output. */
export interface BenchResult {
  /** What was measured, e.g. "status cache hit: median CPU per request". Unique within its module. */
  name: string;
  value: number;
  unit: string;
  /** The target from the issue, when there is one, e.g. "< 50 KiB gzip". */
  goal?: string;
  /** Whether the goal is met; absent when there is no goal. */
  ok?: boolean;
  /** A Worker CPU figure (ms per request in workerd): printed as a ratio to each anchor. */
  cpu?: boolean;
  /** This figure is that anchor's CPU per request (the denominator of the ratios). */
  anchor?: AnchorName;
}
