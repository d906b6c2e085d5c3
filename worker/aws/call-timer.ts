/**
 * The one timer of an upstream call read whole (callUpstreamText): the deadline to the response
 * headers, then the time the body has to arrive, on a single setTimeout where there used to be one
 * for the headers and one per body chunk: a timer set and cleared costs a DynamoDB lookup more CPU
 * than its JSON (issue 12, `npm run bench -- worker`).
 *
 * A new limit (`restart`) keeps the pending timer when it fires first; when it then fires before the
 * limit it sets itself again for the rest. Time is Date.now(), which in a Worker advances with I/O
 * (https://developers.cloudflare.com/workers/runtime-apis/performance/), i.e. when the headers, the
 * body or a timer event arrive.
 */
export class CallTimer {
  /** When the current limit passes (ms since the epoch). */
  private dueAt: number;
  /** When the pending setTimeout fires, if one is pending. */
  private firesAt: number;
  private handle: ReturnType<typeof setTimeout> | undefined;
  /** What a passed limit does; none while disarmed. */
  private onDue: (() => void) | undefined;

  /** Starts the first limit: `onDue` runs once `ms` have passed, unless the limit moved or stopped. */
  constructor(ms: number, onDue: () => void) {
    this.onDue = onDue;
    this.dueAt = this.firesAt = Date.now() + ms;
    this.handle = setTimeout(this.fire, ms);
  }

  /** No limit for now (the headers came); the pending timer stays, to serve a later `restart`. */
  disarm(): void {
    this.onDue = undefined;
  }

  /** A new limit `ms` from now; sets a timer only when the pending one would fire too late. */
  restart(ms: number, onDue: () => void): void {
    const dueAt = Date.now() + ms;
    if (this.handle === undefined || this.firesAt > dueAt) {
      this.stop();
      this.arm(ms);
    }
    this.onDue = onDue;
    this.dueAt = dueAt;
  }

  /** No more limits: clears the pending timer. */
  stop(): void {
    this.onDue = undefined;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(ms: number): void {
    this.firesAt = Date.now() + ms;
    this.handle = setTimeout(this.fire, ms);
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    const onDue = this.onDue;
    if (onDue === undefined) return;
    const left = this.dueAt - Date.now();
    if (left > 0) return this.arm(left);
    this.onDue = undefined;
    onDue();
  };
}
