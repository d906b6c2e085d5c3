/**
 * `npm start` while another one runs: it must stop at the taken port before it writes anything
 * into the Worker's assets directory (dist/page, the page and the API reference), which the running
 * one's `wrangler dev` watches: a rewrite there reloads the Worker of the stack that works. Other
 * test files build the same assets meanwhile (global setup, the bundle-size check), but a build that
 * changes no byte rewrites no file (scripts/static-assets.ts), so the document's identity is this
 * `npm start`'s to change.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_HOST, reservePort } from "../../local/aws.ts";
import { ASSETS_DIR } from "../../scripts/static-assets.ts";

const dataDir = mkdtempSync(join(tmpdir(), "media-edge-local-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A server on a port of its own, standing for the `npm start` already running. */
async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOCAL_HOST, () => resolve());
  });
  return { server, port: (server.address() as { port: number }).port };
}

/** The API reference document as the file system has it: a rewrite (write, then rename) changes it. */
function documentFile(): { ino: number; mtimeMs: number } | undefined {
  const stats = statSync(join(ASSETS_DIR, "api/media/openapi.json"), { throwIfNoEntry: false });
  return stats && { ino: stats.ino, mtimeMs: stats.mtimeMs };
}

/** `npm start` with these port variables (every other port free); its exit code and output. */
async function npmStart(ports: Record<string, number>): Promise<{ code: number; output: string }> {
  const free = {
    DYNAMODB_PORT: await reservePort(),
    S3_PORT: await reservePort(),
    WORKER_PORT: await reservePort(),
    EMULATOR_PORT: await reservePort(),
    WEBHOOK_RECEIVER_PORT: await reservePort(),
  };
  const env = {
    ...process.env,
    ...Object.fromEntries(Object.entries({ ...free, ...ports }).map(([k, v]) => [k, String(v)])),
  };
  return new Promise((resolve) => {
    execFile("npm", ["start"], { env: { ...env, LOCAL_DATA_DIR: dataDir }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe("npm start next to a running one", () => {
  it.each([
    ["DYNAMODB_PORT", "DynamoDB Local"],
    ["WEBHOOK_RECEIVER_PORT", "webhook receiver"],
  ])(
    "fails on a taken %s, naming it, before building the page or the API reference",
    async (variable, purpose) => {
      const taken = await occupied();
      try {
        const before = documentFile();
        const { code, output } = await npmStart({ [variable]: taken.port });
        expect(code, output).not.toBe(0);
        expect(output).toContain(`Port ${taken.port} (${purpose}, ${variable}) is already in use.`);
        expect(documentFile()).toEqual(before);
      } finally {
        taken.server.close();
      }
    },
    90_000,
  );
});
