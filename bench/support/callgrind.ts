/**
 * Instruction counts of a workerd process under `valgrind --tool=callgrind`, for CPU decisions that
 * timed CPU on a shared 2-core machine cannot settle (issue 12): instructions do not move with the
 * machine's load. Used by bench/callgrind/status.ts and bench/callgrind/window.ts; not by
 * `npm run bench`, whose figures are CPU time.
 *
 * The counters are zeroed and dumped from outside with `callgrind_control`
 * (https://valgrind.org/docs/manual/cl-manual.html#cl-manual.callgrind_control), one dump file per
 * thread (`--separate-threads=yes`): thread 1 runs the Worker's isolate, the others workerd's I/O,
 * V8's background compiler and GC.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerdWrapper } from "./workerd.ts";

/** Instructions counted since the last zeroing: the isolate's thread and the whole process. */
export interface Instructions {
  main: number;
  all: number;
}

export interface CallgrindSession {
  /** For startPlainWorkerd's `wrapper`: workerd under callgrind starts ~50x slower. */
  wrapper: WorkerdWrapper;
  /** Zeroes the process's counters. */
  zero(pid: number): void;
  /** Dumps the counters and reads them once every thread's dump is complete. */
  dump(pid: number): Promise<Instructions>;
  /** Removes the dumps (or keeps them, for callgrind_annotate, and says where). */
  dispose(keep?: boolean): void;
}

/** Longest wait for a dump to be written (a week's window dump is a few seconds). */
const DUMP_TIMEOUT_MS = 120_000;

/** A dump file's thread number (`<pid>.out.<dump>-<thread>`), or undefined for another file. */
function threadOf(file: string, pid: number): number | undefined {
  const thread = new RegExp(`^${pid}\\.out\\.\\d+-(\\d+)$`).exec(file)?.[1];
  return thread === undefined ? undefined : Number(thread);
}

/** Starts a scratch folder for one run's dumps and the callgrind options workerd runs with. */
export function callgrindSession(): CallgrindSession {
  const dir = mkdtempSync(join(tmpdir(), "media-edge-callgrind-"));
  const control = (option: string, pid: number) =>
    execFileSync("callgrind_control", [option, String(pid)], { stdio: "ignore" });
  /**
   * This dump's files: those of `pid` written since `earlier` was taken (each dump has its own
   * number in the file name, so earlier dumps stay, for CALLGRIND_KEEP).
   */
  const dumpFiles = (pid: number, earlier: Set<string>) =>
    readdirSync(dir).filter((file) => !earlier.has(file) && threadOf(file, pid) !== undefined);
  /** Each thread's dump ends with its `totals:` line; the main thread's is written last. */
  const complete = (files: string[], pid: number) =>
    files.some((file) => threadOf(file, pid) === 1 && /^totals: /m.test(readFileSync(join(dir, file), "utf8")));
  return {
    wrapper: {
      command: [
        "valgrind",
        "--tool=callgrind",
        // V8 writes and rewrites machine code on its heap.
        "--smc-check=all-non-file",
        "--separate-threads=yes",
        "--dump-instr=no",
        `--callgrind-out-file=${join(dir, "%p.out")}`,
      ],
      startTimeoutMs: 300_000,
    },
    zero(pid) {
      control("--zero", pid);
    },
    async dump(pid) {
      const earlier = new Set(readdirSync(dir));
      control("--dump", pid);
      // A dump takes seconds; a process that died never completes one.
      const deadline = Date.now() + DUMP_TIMEOUT_MS;
      let files = dumpFiles(pid, earlier);
      while (!complete(files, pid)) {
        if (Date.now() > deadline)
          throw new Error(`callgrind wrote no complete dump of ${pid} in ${DUMP_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        files = dumpFiles(pid, earlier);
      }
      const counted: Instructions = { main: 0, all: 0 };
      for (const file of files) {
        const thread = threadOf(file, pid)!;
        const total = Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, file), "utf8"))?.[1] ?? 0);
        counted.all += total;
        if (thread === 1) counted.main += total;
      }
      return counted;
    },
    dispose(keep = false) {
      if (keep) console.log(`callgrind dumps kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
