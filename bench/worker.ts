/**
 * Worker figures for `npm run bench` (issue "Foundation"):
 * - bundle size, raw and gzip, of `wrangler deploy --dry-run --outdir`;
 * - CPU and wall time per `status` request, cache miss and cache hit, measured in workerd
 *   (`wrangler dev`) against DynamoDB Local, next to a bare Hono route served the same way.
 *
 * How CPU is measured: workerd reports no per-request CPU locally, so the bench reads the CPU time
 * of the workerd process that runs the Worker (not wrangler's proxy in front of it) (utime+stime from /proc/<pid>/stat) around batches of sequential requests and
 * divides by the batch size; the figure is the median over batches. It includes workerd's own HTTP
 * handling, which the bare route shows, so compare the two. Wall time is the client-side median.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BatchWriteItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_TABLES, epochSeconds } from "../model/index.ts";
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from "../local/aws.ts";
import { localWorkerDefaults, localEndpoints } from "../local/defaults.ts";
import { startWranglerDev, type WranglerDev } from "../local/wrangler-dev.ts";
import type { BenchResult } from "./types.ts";

const BATCHES = 8;
const BATCH_SIZE = 150;
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function childPids(pid: number): number[] {
  try {
    const children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .trim()
      .split("\n");
    return children.filter(Boolean).flatMap((child) => [Number(child), ...childPids(Number(child))]);
  } catch {
    return [];
  }
}

/**
 * The workerd process that runs the Worker under `wrangler dev`. wrangler starts two: a proxy
 * that owns the public port and the runtime that runs the Worker, which is the one started with
 * an inspector (`--inspector-addr`). Measuring the first one found measured the proxy.
 */
function workerdPid(dev: WranglerDev): number {
  for (const pid of childPids(dev.process.pid!)) {
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (command.includes("workerd") && command.includes("--inspector-addr")) return pid;
  }
  throw new Error("the workerd runtime (started with --inspector-addr) was not found under wrangler dev");
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted from after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function measure(pid: number, urls: () => string, headers: Record<string, string> = {}) {
  const cpuPerRequest: number[] = [];
  const wall: number[] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    const before = cpuMs(pid);
    for (let index = 0; index < BATCH_SIZE; index++) {
      const started = performance.now();
      const response = await fetch(urls(), { headers });
      const body = await response.text();
      wall.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`bench request answered ${response.status}: ${body}`);
    }
    cpuPerRequest.push((cpuMs(pid) - before) / BATCH_SIZE);
  }
  return { cpu: median(cpuPerRequest), wall: median(wall) };
}

function bundleSize(): { raw: number; gzip: number } {
  const outdir = mkdtempSync(join(tmpdir(), "media-edge-bundle-"));
  try {
    execFileSync(
      process.execPath,
      ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", outdir],
      {
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
        stdio: "ignore",
      },
    );
    const files = readdirSync(outdir).filter((name) => name.endsWith(".js"));
    const bytes = Buffer.concat(files.map((name) => readFileSync(join(outdir, name))));
    return {
      raw: files.reduce((sum, name) => sum + statSync(join(outdir, name)).size, 0),
      gzip: gzipSync(bytes).length,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs the Worker bench and returns its figures. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const bundle = bundleSize();
  results.push({ name: "Worker bundle (raw)", value: +(bundle.raw / 1024).toFixed(1), unit: "KiB" });
  results.push({
    name: "Worker bundle (gzip)",
    value: +(bundle.gzip / 1024).toFixed(1),
    unit: "KiB",
    goal: "< 50 KiB",
    ok: bundle.gzip < 50 * 1024,
  });

  const dynamodb = await startDynamoDbLocal();
  let main: WranglerDev | undefined;
  let bare: WranglerDev | undefined;
  try {
    await ensureTables(dynamodb.endpoint, DEFAULT_TABLES);
    const ids = Array.from({ length: BATCHES * BATCH_SIZE + 50 }, (_, index) => `bench-job-${index}`);
    const client = localDynamoDbClient(dynamodb.endpoint);
    for (let start = 0; start < ids.length; start += 25) {
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [DEFAULT_TABLES.jobIdToStatus]: ids.slice(start, start + 25).map((id) => ({
              PutRequest: {
                Item: {
                  JobId: { S: id },
                  JobStatus: { S: "PROGRESSING" },
                  ProgressRate: { N: "70" },
                  CreationTime: { N: String(epochSeconds()) },
                },
              },
            })),
          },
        }),
      );
    }
    client.destroy();

    const endpoints = { ...localEndpoints({ dynamodb: 1, s3: 1, worker: 1 }), dynamodb: dynamodb.endpoint };
    main = await startWranglerDev({
      vars: { ...localWorkerDefaults(endpoints), ALLOWED_ORIGINS: "http://localhost:3000", CACHE_TTL_SECONDS: "300" },
    });
    bare = await startWranglerDev({ vars: {}, config: "bench/bare/wrangler.toml", readyPath: "/bare" });
    const mainPid = workerdPid(main);
    const barePid = workerdPid(bare);

    // Warm both runtimes up before measuring.
    for (let index = 0; index < 50; index++) {
      await (await fetch(`${bare.url}/bare`)).arrayBuffer();
      await (await fetch(`${main.url}/api/media/status?job_id=${ids.at(-1 - (index % 50))}`)).arrayBuffer();
    }
    const baseline = await measure(barePid, () => `${bare!.url}/bare`);
    const baselineLogged = await measure(barePid, () => `${bare!.url}/bare-logged`);
    let next = 0;
    const miss = await measure(mainPid, () => `${main!.url}/api/media/status?job_id=${ids[next++]}`);
    const hit = await measure(mainPid, () => `${main!.url}/api/media/status?job_id=${ids[0]}`, {
      origin: "http://localhost:3000",
    });

    const ms = (value: number) => +value.toFixed(3);
    results.push({ name: "bare Hono route: CPU per request (workerd)", value: ms(baseline.cpu), unit: "ms" });
    results.push({ name: "bare Hono route: wall per request", value: ms(baseline.wall), unit: "ms" });
    results.push({ name: "bare Hono route + 1 log line: CPU per request", value: ms(baselineLogged.cpu), unit: "ms" });
    results.push({ name: "status, cache miss: CPU per request", value: ms(miss.cpu), unit: "ms" });
    results.push({ name: "status, cache miss: wall per request (DynamoDB Local)", value: ms(miss.wall), unit: "ms" });
    results.push({
      name: "status, cache hit: CPU per request",
      value: ms(hit.cpu),
      unit: "ms",
      goal: `<= 1.5x bare (${ms(baseline.cpu * 1.5)} ms)`,
      ok: hit.cpu <= baseline.cpu * 1.5,
    });
    results.push({
      name: "status, cache hit: CPU / bare route + 1 log line (like for like: both log one line)",
      value: +(hit.cpu / baselineLogged.cpu).toFixed(2),
      unit: "x",
    });
    results.push({ name: "status, cache hit: wall per request", value: ms(hit.wall), unit: "ms" });
  } finally {
    await Promise.all([main?.stop(), bare?.stop(), dynamodb.stop()]);
  }
  return results;
}
