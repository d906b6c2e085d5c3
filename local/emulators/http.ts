/**
 * Small HTTP plumbing shared by the local AWS API emulators (MediaConvert, Rekognition): one
 * `node:http` server on 127.0.0.1 that offers each request to a list of routers until one answers.
 * The emulators do not check SigV4 signatures (nor does DynamoDB Local or s3rver).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCAL_HOST, assertPortFree } from "../aws.ts";

/** Handles a request and returns true, or returns false to let the next router try. */
export type Router = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** A running emulator server. */
export interface EmulatorServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Largest request body accepted (CreateJob settings are a few KB; AWS's own limit is far larger). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Reads a request body as UTF-8 text (bounded). */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("Request body too large.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Sends a JSON body with a status and extra headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
    ...headers,
  });
  response.end(text);
}

/**
 * Starts one server for `routers` on 127.0.0.1. `port` 0 (or absent) picks a free port; a fixed port
 * is checked first so a clash fails with a message naming it. Unrouted requests get a JSON 404.
 */
export async function startEmulatorServer(
  routers: Router[],
  port = 0,
  purpose = "AWS emulators",
): Promise<EmulatorServer> {
  if (port) await assertPortFree(port, purpose);
  const server = createServer((request, response) => {
    void (async () => {
      try {
        for (const route of routers) if (await route(request, response)) return;
        sendJson(response, 404, { message: `No emulated AWS operation at ${request.method} ${request.url}` });
      } catch (error) {
        // Never echo request content: CreateJob bodies carry the content key.
        if (!response.headersSent) sendJson(response, 500, { message: `Emulator error: ${(error as Error).name}` });
        else response.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOCAL_HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOCAL_HOST}:${address.port}`,
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What serveEmulator needs of an emulator: its router, and a stop that ends its jobs. */
export interface Emulator {
  router: Router;
  stop(): Promise<void>;
}

/**
 * Serves one emulator on its own server (tests; `npm start` mounts the routers on a shared one).
 * Stopping it closes the server first, so no request starts a job while the emulator stops.
 */
export async function serveEmulator<E extends Emulator>(
  emulator: E,
  port: number | undefined,
  purpose: string,
): Promise<E & EmulatorServer> {
  const server = await startEmulatorServer([emulator.router], port, purpose);
  return {
    ...emulator,
    endpoint: server.endpoint,
    port: server.port,
    stop: async () => {
      await server.stop();
      await emulator.stop();
    },
  };
}
