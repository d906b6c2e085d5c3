/**
 * The tier-up trace reader of bench/v8/tier-up.ts, on lines workerd printed with `--trace-opt
 * --trace-deopt` while serving status misses (issue 12).
 */
import { describe, expect, it } from "vitest";
import { summariseTierUp, tierUpEvent, type TaggedEvent } from "../../bench/support/v8-trace.ts";

const LINES = {
  marked:
    "[marking 0x35850094f305 <JSFunction buf2hex (sfi = 0x358500908f85)> for optimization to MAGLEV, ConcurrencyMode::kConcurrent, reason: hot and stable]",
  queued:
    "[compiling method 0x35850094f305 <JSFunction buf2hex (sfi = 0x358500908f85)> (target MAGLEV), mode: ConcurrencyMode::kConcurrent]",
  installed:
    "[completed compiling 0x358500a1c315 <JSFunction buf2hex (sfi = 0x358500908f85)> (target TURBOFAN_JS) - took 0.008, 2.929, 0.008 ms]",
  flushed: "[flushed compiling 0x358500a1c63d <JSFunction unmarshallItem (sfi = 0x358500909429)> (target TURBOFAN_JS)]",
  deoptimised:
    "[bailout (kind: deopt-eager, reason: not a Smi): begin. deoptimizing 0x358500a1c891 <JSFunction seedKeyParameter (sfi = 0x358500909789)>, 0x35850086b1ad <Code MAGLEV>, opt id 53, bytecode offset 66, deopt exit 7, FP to SP delta 64]",
  anonymous:
    "[marking 0x358500b875d9 <JSFunction (sfi = 0x35850099176d)> for optimization to TURBOFAN_JS, ConcurrencyMode::kConcurrent, reason: hot and stable]",
  optimizing: "[completed optimizing 0x358500a1c315 <JSFunction buf2hex (sfi = 0x358500908f85)> (target TURBOFAN_JS)]",
  access: '{"level":"info","msg":"request","method":"GET","path":"/api/media/status","status":200}',
};

describe("tierUpEvent", () => {
  it("reads each kind of line V8 prints, with the function's name and tier", () => {
    expect(tierUpEvent(LINES.marked)).toEqual({ kind: "marked", fn: "buf2hex@08f85", tier: "MAGLEV" });
    expect(tierUpEvent(LINES.queued)).toEqual({ kind: "queued", fn: "buf2hex@08f85", tier: "MAGLEV" });
    expect(tierUpEvent(LINES.installed)).toEqual({ kind: "installed", fn: "buf2hex@08f85", tier: "TURBOFAN_JS" });
    expect(tierUpEvent(LINES.flushed)).toEqual({ kind: "flushed", fn: "unmarshallItem@09429", tier: "TURBOFAN_JS" });
    expect(tierUpEvent(LINES.deoptimised)).toEqual({
      kind: "deoptimised",
      fn: "seedKeyParameter@09789",
      reason: "not a Smi",
    });
  });

  it("keeps anonymous functions apart by their SharedFunctionInfo", () => {
    expect(tierUpEvent(LINES.anonymous)).toEqual({ kind: "marked", fn: "(anonymous)@9176d", tier: "TURBOFAN_JS" });
  });

  it("ignores the lines that repeat an event or are not V8's", () => {
    expect(tierUpEvent(LINES.optimizing)).toBeUndefined();
    expect(tierUpEvent(LINES.access)).toBeUndefined();
  });
});

describe("summariseTierUp", () => {
  const at = (request: number, line: string): TaggedEvent => ({ ...tierUpEvent(line)!, request });

  it("pairs each queued job with its install or flush, and lists deoptimisations", () => {
    const summary = summariseTierUp(
      [
        at(7, LINES.marked),
        at(7, LINES.queued),
        at(12, LINES.installed.replace("TURBOFAN_JS", "MAGLEV")),
        at(511, LINES.deoptimised),
        at(1343, LINES.queued.replace("MAGLEV", "TURBOFAN_JS")),
        at(1344, LINES.installed),
        at(7932, LINES.flushed.replace("flushed", "compiling method")),
        at(8000, LINES.flushed),
      ],
      500,
    );
    expect(summary.jobs).toEqual([
      { fn: "buf2hex@08f85", tier: "MAGLEV", queued: 7, installed: 12 },
      { fn: "buf2hex@08f85", tier: "TURBOFAN_JS", queued: 1343, installed: 1344 },
      { fn: "unmarshallItem@09429", tier: "TURBOFAN_JS", queued: 7932, installed: undefined },
    ]);
    expect(summary.deopts).toEqual([{ fn: "seedKeyParameter@09789", reason: "not a Smi", request: 511 }]);
    // The flush at shutdown is neither counted nor the last event.
    expect([...summary.perBucket]).toEqual([
      [0, 3],
      [500, 1],
      [1000, 2],
      [7500, 1],
    ]);
    expect(summary.lastEvent).toBe(7932);
  });
});
