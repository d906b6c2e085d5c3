/**
 * The one timer of an upstream call read whole (worker/aws/call-timer.ts), on vitest's fake clock:
 * the headers deadline, then the body's own limit, with as few timer calls as the limits allow
 * (the point of it: issue 12).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallTimer } from "../../worker/aws/call-timer.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
  vi.setSystemTime(Date.UTC(2026, 0, 1));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("CallTimer", () => {
  it("runs the first limit's action when it passes, once", () => {
    const due = vi.fn();
    new CallTimer(3000, due);
    vi.advanceTimersByTime(2999);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(due).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(due).toHaveBeenCalledTimes(1);
  });

  it("does nothing once disarmed or stopped", () => {
    const disarmed = vi.fn();
    const stopped = vi.fn();
    new CallTimer(100, disarmed).disarm();
    new CallTimer(100, stopped).stop();
    vi.advanceTimersByTime(10_000);
    expect(disarmed).not.toHaveBeenCalled();
    expect(stopped).not.toHaveBeenCalled();
  });

  it("gives the body its own limit from the headers, past the headers deadline", () => {
    const timer = new CallTimer(3000, () => expect.unreachable("the headers came"));
    vi.advanceTimersByTime(2500);
    timer.disarm();
    const late = vi.fn();
    timer.restart(10_000, late);
    // The pending timer fires at 3000 ms, before the body's limit (12,500 ms), and sets itself again.
    vi.advanceTimersByTime(9999);
    expect(late).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it("keeps the pending timer when it fires before the new limit, sets one when it would fire too late", () => {
    const set = vi.spyOn(globalThis, "setTimeout");
    const clear = vi.spyOn(globalThis, "clearTimeout");
    const early = new CallTimer(3000, () => undefined);
    early.disarm();
    early.restart(10_000, () => undefined);
    early.stop();
    expect([set.mock.calls.length, clear.mock.calls.length]).toEqual([1, 1]);

    const late = new CallTimer(3000, () => undefined);
    late.disarm();
    const stalled = vi.fn();
    late.restart(200, stalled);
    expect([set.mock.calls.length, clear.mock.calls.length]).toEqual([3, 2]);
    vi.advanceTimersByTime(200);
    expect(stalled).toHaveBeenCalledTimes(1);
  });
});
