/**
 * What the recorder reports, as data (the CLI prints one line per event; tests wait on them), and
 * the one-line rendering. Keys and sizes only: never credentials, never an upstream's body.
 */
export type RecorderEvent =
  | { type: "uploaded"; key: string; bytes: number; ms: number; attempts: number; late: boolean; partial?: number }
  | { type: "retry"; key: string; attempt: number; delayMs: number; reason: string }
  | { type: "gap"; key: string }
  | { type: "held"; key: string; delaySeconds: number }
  | { type: "dropped"; key: string; reason: string }
  | { type: "resumed"; key: string }
  | { type: "disk-full"; freeBytes: number; reserveBytes: number }
  | { type: "stopping"; message: string };

export type Report = (event: RecorderEvent) => void;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
}

/** One progress line for an event. */
export function formatEvent(event: RecorderEvent): string {
  switch (event.type) {
    case "uploaded": {
      const notes = [
        event.attempts > 1 ? `${event.attempts} attempts` : "",
        event.late ? "late" : "",
        event.partial !== undefined ? `partial: ${event.partial.toFixed(1)} s` : "",
      ].filter(Boolean);
      return `uploaded ${event.key} ${size(event.bytes)} in ${event.ms} ms${notes.length ? ` (${notes.join(", ")})` : ""}`;
    }
    case "retry":
      return `retry    ${event.key}: attempt ${event.attempt} failed (${event.reason}), again in ${event.delayMs} ms`;
    case "gap":
      return `gap      ${event.key} left out (--gap)`;
    case "held":
      return `held     ${event.key} for ${event.delaySeconds} s (--late)`;
    case "dropped":
      return `DROPPED  ${event.key}: ${event.reason}`;
    case "resumed":
      return `resumed  ${event.key} from the backlog of an earlier run`;
    case "disk-full":
      return `DISK FULL: ${size(event.freeBytes)} free, ${size(event.reserveBytes)} needed; stopping the recording`;
    case "stopping":
      return event.message;
  }
}

/** A short, safe description of an upload error: its name and HTTP status, never its body. */
export function describeError(error: unknown): string {
  const failure = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = failure?.$metadata?.httpStatusCode;
  const name = failure?.name && failure.name !== "Error" ? failure.name : (failure?.code ?? "error");
  return status === undefined ? name : `${name}, HTTP ${status}`;
}
