/**
 * How the local stack, the e2e tests and the bench start their servers. A CI run once failed
 * because `wrangler dev` was given a port picked beforehand: another process took the port in
 * between, the readiness probe was answered by that process, and the Worker was gone when the
 * tests reached it. Servers now bind port 0 and announce their port; DynamoDB Local, which cannot,
 * gets a port below the kernel's ephemeral range.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_HOST, reservePort, startS3Server } from "../../local/aws.ts";
import { liveGroupMembers, startWranglerDev } from "../../local/wrangler-dev.ts";

const WORKER_VARS = {
  AWS_ACCESS_KEY_ID: "local-test",
  AWS_SECRET_ACCESS_KEY: "local-test",
  TOKEN_SECRET: "local-processes-test-secret-0123456789",
  // Nothing listens on port 9: the Worker answers, but every upstream call fails fast.
  DYNAMODB_ENDPOINT: `http://${LOCAL_HOST}:9`,
  S3_ENDPOINT: `http://${LOCAL_HOST}:9`,
};

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
}

describe("reservePort (for DynamoDB Local, which rejects -port 0)", () => {
  it("hands out distinct, bindable ports outside the ephemeral range, never the same twice", async () => {
    const [ephemeralLow, ephemeralHigh] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number) as [number, number];
    const ports = await Promise.all(Array.from({ length: 25 }, () => reservePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      // Below the range when it leaves room (Linux's default starts at 32768), else above it.
      if (Math.min(ephemeralLow, 32768) - 1024 > 1000) expect(port).toBeLessThan(Math.min(ephemeralLow, 32768));
      else expect(port).toBeGreaterThan(ephemeralHigh);
    }
    const server: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(ports[0], LOCAL_HOST, () => resolve());
    });
    server.close();
  });
});

describe("startS3Server without a port", () => {
  it("listens on the port the OS gave it and reports that one", async () => {
    const s3 = await startS3Server({ directory: `/tmp/media-edge-s3-port-test-${process.pid}` });
    try {
      expect(s3.port).toBeGreaterThan(0);
      expect(s3.endpoint).toBe(`http://${LOCAL_HOST}:${s3.port}`);
      const response = await fetch(s3.endpoint);
      expect(response.headers.get("content-type")).toContain("xml"); // s3rver's ListBuckets
      await response.arrayBuffer();
    } finally {
      await s3.stop();
    }
  });
});

describe("startWranglerDev", () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it("binds a port of its own choosing, answers there, and stop() leaves nothing of its group", async () => {
    let spawnedStop: (() => Promise<void>) | undefined;
    const worker = await startWranglerDev({
      vars: WORKER_VARS,
      onSpawned: (stop) => (spawnedStop = stop),
      // As npm start runs it: the Worker's console.log request lines shown.
      logLevel: "log",
    });
    stops.push(worker.stop);
    expect(spawnedStop).toBe(worker.stop);
    expect(worker.url).toBe(`http://${LOCAL_HOST}:${worker.port}`);
    expect(worker.output()).toContain(`Ready on ${worker.url}`);

    // The Worker itself answers: the seed's 400 for a status request without a job_id.
    const response = await fetch(`${worker.url}/api/media/status`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ success: false, message: "Not found parameter." });
    // Its per-request JSON log line reaches wrangler's output (at "info" wrangler drops console.log).
    const requestLine = /\{"level":"info","msg":"request",[^\n]*"path":"\/api\/media\/status","status":400,/;
    while (!requestLine.test(worker.output())) await new Promise((resolve) => setTimeout(resolve, 50));

    const group = worker.process.pid!;
    expect(liveGroupMembers(group).length).toBeGreaterThanOrEqual(2); // wrangler and its workerd
    await worker.stop();
    expect(liveGroupMembers(group)).toEqual([]);
    expect(await refused(`${worker.url}/api/media/status`)).toBe(true);
  }, 90_000);

  it("refuses a fixed port that is taken, naming it", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, LOCAL_HOST, () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startWranglerDev({ vars: WORKER_VARS, port })).rejects.toThrow(
        new RegExp(`Port ${port} \\(Worker \\(wrangler dev\\)\\) is already in use`),
      );
    } finally {
      blocker.close();
    }
  });
});
