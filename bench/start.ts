/**
 * Bench: `npm start` from spawn to the Worker's first 200, on free ports and a fresh data directory
 * ("first start"), then again on the same data directory ("machine that has run it before": tables,
 * buckets and wrangler's state exist). The goal (issue 9) is <= 20 s for the second. Each line
 * `npm start` prints is kept with its time, so a slow start shows where its time went
 * (`BENCH_START_VERBOSE=1` prints them).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { localDynamoDbClient, reservePort } from "../local/aws.ts";
import { DEFAULT_TABLES } from "../model/index.ts";
import type { BenchResult } from "./types.ts";

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const GOAL_SECONDS = 20;
const GIVE_UP_MS = 180_000;

interface StartRun {
  /** Seconds from spawn to the first 200 from the Worker. */
  firstAnswerSeconds: number;
  /** What `npm start` printed, each line with the seconds since spawn. */
  lines: string[];
}

const PROBE_JOB = "bench-start-probe";

/**
 * One try at a 200 from the Worker: the status of a job row the bench writes into DynamoDB Local
 * (once it takes writes; it stays in the data directory for the second start). A 200 needs the
 * Worker, DynamoDB Local and the tables: the stack is usable.
 */
async function probe(ports: { DYNAMODB_PORT: number; WORKER_PORT: number }, state: { rowWritten: boolean }) {
  if (!state.rowWritten) {
    const client = localDynamoDbClient(`http://127.0.0.1:${ports.DYNAMODB_PORT}`);
    try {
      await client.send(
        new PutItemCommand({
          TableName: DEFAULT_TABLES.jobIdToStatus,
          Item: {
            JobId: { S: PROBE_JOB },
            JobStatus: { S: "SUBMITTED" },
            ProgressRate: { N: "0" },
            StatusRank: { N: "0" },
          },
        }),
      );
      state.rowWritten = true;
    } catch {
      return false; // DynamoDB Local or the table not there yet
    } finally {
      client.destroy();
    }
  }
  try {
    const response = await fetch(`http://127.0.0.1:${ports.WORKER_PORT}/api/media/status?job_id=${PROBE_JOB}`, {
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false; // the Worker is not listening yet
  }
}

async function firstOk(
  ports: { DYNAMODB_PORT: number; WORKER_PORT: number },
  child: { exitCode: number | null },
  deadline: number,
): Promise<void> {
  const state = { rowWritten: false };
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with code ${child.exitCode}`);
    if (await probe(ports, state)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no 200 from the Worker on port ${ports.WORKER_PORT} within ${GIVE_UP_MS} ms`);
}

/** Ctrl-C as a terminal sends it: npm start stops what it started; its process group goes after 30 s if not. */
async function stopStart(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGINT");
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 30_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `npm start` (local/start.ts) once on `dataDir`; stops it after the first answer. */
async function startOnce(dataDir: string): Promise<StartRun> {
  const ports = {
    DYNAMODB_PORT: await reservePort(),
    S3_PORT: await reservePort(),
    WORKER_PORT: await reservePort(),
    EMULATOR_PORT: await reservePort(),
  };
  const started = Date.now();
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), "local/start.ts"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      LOCAL_DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    },
  });
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  const lines: string[] = [];
  const keep = (chunk: string) => {
    const at = ((Date.now() - started) / 1000).toFixed(1);
    for (const line of chunk.split("\n").filter((text) => text.trim() !== ""))
      lines.push(`${at.padStart(6)} s  ${line}`);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  try {
    await firstOk(ports, child, started + GIVE_UP_MS);
    return { firstAnswerSeconds: (Date.now() - started) / 1000, lines };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${lines.join("\n")}`, { cause: error });
  } finally {
    await stopStart(child);
  }
}

/** Two starts on one data directory: the first on a fresh one, the second on what the first left. */
export async function run(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "media-edge-bench-start-"));
  try {
    const first = await startOnce(dataDir);
    const again = await startOnce(dataDir);
    if (process.env.BENCH_START_VERBOSE) {
      process.stdout.write(`first start:\n${first.lines.join("\n")}\nsecond start:\n${again.lines.join("\n")}\n`);
    }
    const round = (seconds: number) => Math.round(seconds * 10) / 10;
    return [
      { name: "npm start: spawn to first 200 (fresh data dir)", value: round(first.firstAnswerSeconds), unit: "s" },
      {
        name: "npm start: spawn to first 200 (run before)",
        value: round(again.firstAnswerSeconds),
        unit: "s",
        goal: `<= ${GOAL_SECONDS} s`,
        ok: again.firstAnswerSeconds <= GOAL_SECONDS,
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
