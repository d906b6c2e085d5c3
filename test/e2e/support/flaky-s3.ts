/**
 * A flaky network in front of the local S3 server: the first `failuresPerKey` PUTs of every
 * object are answered 503 SlowDown (what S3 says when it sheds load) and everything else is
 * forwarded unchanged. Counts what it refused, so a test can check each failure was retried.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { LOCAL_HOST } from "../../../local/aws.ts";

export interface FlakyS3 {
  endpoint: string;
  /** PUTs refused so far. */
  refused(): number;
  stop(): Promise<void>;
}

async function forward(target: string, request: IncomingMessage, body: Buffer, response: ServerResponse) {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !["host", "connection", "content-length"].includes(name)),
  ) as Record<string, string>;
  const method = request.method ?? "GET";
  const upstream = await fetch(`${target}${request.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(body),
  });
  const relayed = Object.fromEntries(
    [...upstream.headers].filter(([name]) => !["content-encoding", "transfer-encoding"].includes(name)),
  );
  response.writeHead(upstream.status, relayed);
  response.end(Buffer.from(await upstream.arrayBuffer()));
}

export async function startFlakyS3(target: string, failuresPerKey: number): Promise<FlakyS3> {
  const puts = new Map<string, number>();
  let refused = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = (request.url ?? "/").split("?")[0]!;
      if (request.method === "PUT") {
        const count = (puts.get(path) ?? 0) + 1;
        puts.set(path, count);
        if (count <= failuresPerKey) {
          refused++;
          response.writeHead(503, { "content-type": "application/xml" });
          response.end("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
          return;
        }
      }
      forward(target, request, Buffer.concat(chunks), response).catch(() => {
        response.writeHead(502);
        response.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    refused: () => refused,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
