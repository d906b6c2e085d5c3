/** Measurement helpers shared by the bench modules. */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Whether this kernel keeps per-thread run times: this process has run, so its own is above zero. */
const HAS_SCHEDSTAT = (() => {
  try {
    return Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[0]) > 0;
  } catch {
    return false;
  }
})();

/**
 * CPU time (ms) a process has used, all its threads: the sum of each thread's run time in
 * /proc/<pid>/task/<tid>/schedstat, in nanoseconds
 * (https://docs.kernel.org/scheduler/sched-stats.html#proc-pid-schedstat). /proc/<pid>/stat's
 * utime + stime count clock ticks (10 ms here), so a 250-ms load round costing ~150 ms of CPU was
 * up to 7% off from rounding alone. Threads that exit between two readings take their time with
 * them; workerd's do not. Falls back to the ticks where the kernel keeps no schedstat.
 */
export function processCpuMs(pid: number): number {
  if (!HAS_SCHEDSTAT) return processTicksCpuMs(pid);
  let nanoseconds = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return nanoseconds / 1e6;
}

/** CPU time (user + system, ms) from fields 14 and 15 of /proc/<pid>/stat, in clock ticks. */
function processTicksCpuMs(pid: number): number {
  // Counted from after the command name, which may itself hold spaces and parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
