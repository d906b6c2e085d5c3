/** Human-readable figures for the progress lines. Pure. */

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 -> "1.5 KB" (decimal units, like file managers and S3's console). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Bytes per second as "4.2 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** Milliseconds as a player time, "1:05.5". */
export function formatClock(ms: number): string {
  const totalTenths = Math.max(0, Math.round(ms / 100));
  const minutes = Math.floor(totalTenths / 600);
  const seconds = (totalTenths % 600) / 10;
  return `${minutes}:${seconds.toFixed(1).padStart(4, "0")}`;
}

export interface RateSample {
  /** Milliseconds on a monotonic clock (performance.now()). */
  at: number;
  /** Bytes sent so far. */
  loaded: number;
}

/**
 * Upload speed over the samples of the last `windowMs` (a moving window, so a stall shows as a
 * falling rate rather than being averaged away). Undefined until there are two samples apart.
 */
export function uploadRate(samples: readonly RateSample[], windowMs = 3000): number | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  const first = samples.find((sample) => sample.at >= last.at - windowMs) ?? last;
  const elapsed = last.at - first.at;
  if (elapsed <= 0) return undefined;
  return ((last.loaded - first.loaded) * 1000) / elapsed;
}
