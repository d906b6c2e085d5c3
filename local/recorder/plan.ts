/**
 * Which segments a recording leaves out (`--gap`) or uploads late (`--late`), and the archive a
 * backfill writes: pure functions of segment start times, so a run is reproducible and a test can
 * say exactly which keys must exist.
 */

/** A repeating selection: `lengthSeconds` out of every `everySeconds` (epoch-aligned). */
export interface Every {
  everySeconds: number;
  lengthSeconds: number;
}

export type SegmentFate = { kind: "upload" } | { kind: "gap" } | { kind: "late"; delaySeconds: number };

const modulo = (value: number, divisor: number): number => ((value % divisor) + divisor) % divisor;

/**
 * What happens to the segment starting at `start`. A gap is the first `lengthSeconds` of every
 * period (so holes sit at round times: `--gap 1h:5m` leaves out :00 to :05 of each hour). One
 * segment per `--late` period, the one at its middle, is uploaded `lengthSeconds` late; a segment
 * in a gap is never also late.
 */
export function segmentFate(start: number, segmentSeconds: number, gap?: Every, late?: Every): SegmentFate {
  if (gap !== undefined && modulo(start, gap.everySeconds) < gap.lengthSeconds) return { kind: "gap" };
  if (late !== undefined && modulo(start - late.everySeconds / 2, late.everySeconds) < segmentSeconds) {
    return { kind: "late", delaySeconds: late.lengthSeconds };
  }
  return { kind: "upload" };
}

export interface BackfillPlan {
  /** Upload order: every on-time segment oldest first, then the late ones. */
  uploads: Array<{ start: number; late: boolean }>;
  /** Starts left out by `--gap`. */
  gaps: number[];
}

/**
 * The archive of `durationSeconds` that ends at the last segment boundary at or before `now`:
 * whole segments only, aligned to multiples of the segment length, the newest one ending at that
 * boundary (the segment holding `now` is not finished yet).
 */
export function backfillPlan(options: {
  nowSeconds: number;
  durationSeconds: number;
  segmentSeconds: number;
  gap?: Every;
  late?: Every;
}): BackfillPlan {
  const { segmentSeconds } = options;
  const end = Math.floor(options.nowSeconds / segmentSeconds) * segmentSeconds;
  const count = Math.ceil(options.durationSeconds / segmentSeconds);
  const onTime: BackfillPlan["uploads"] = [];
  const late: BackfillPlan["uploads"] = [];
  const gaps: number[] = [];
  for (let start = end - count * segmentSeconds; start < end; start += segmentSeconds) {
    const fate = segmentFate(start, segmentSeconds, options.gap, options.late);
    if (fate.kind === "gap") gaps.push(start);
    else (fate.kind === "late" ? late : onTime).push({ start, late: fate.kind === "late" });
  }
  return { uploads: [...onTime, ...late], gaps };
}
