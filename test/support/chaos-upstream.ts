/**
 * A misbehaving "AWS" for failure tests: the first path segment picks the behaviour, the rest of
 * the path names the test (so each test counts its own requests).
 *   /throttle/<id>      DynamoDB throttling (HTTP 400 ThrottlingException), always
 *   /server-error/<id>  HTTP 500, always
 *   /slowdown/<id>      S3 503 SlowDown, always
 *   /hang/<id>          accepts the request and never answers
 *   /malformed/<id>     HTTP 200 with a body that is neither JSON nor XML
 *   /rejected/<id>      HTTP 400 ValidationException whose message holds a fake secret
 *   /item-string/<id>, /item-list/<id>, /item-unknown-type/<id>
 *                       HTTP 200 GetItem answers whose Item is not a DynamoDB item
 *   /flaky/<id>         throttles twice, then forwards to DynamoDB Local (`?to=` endpoint)
 *   /crowded/<id>/...   S3 ListObjectsV2 that never ends: every page is truncated and holds
 *                       `max-keys` objects that are not segments, sorting just after `start-after`
 *   /trickle/<id>/<chunks>x<pauseMs>/<bucket>/<key>
 *                       S3 GetObject of SLOW_BODY_BYTES (byte i = i % 251) in <chunks> equal chunks
 *                       with a pause of <pauseMs> before each chunk after the first: a slow body
 *   /stall/<id>/<bytes>/<bucket>/<key>
 *                       S3 GetObject that declares SLOW_BODY_BYTES, sends <bytes> of them and stops
 *   /s3-conditional/<id>/<bucket>/<key>
 *                       real S3's conditional answers in front of the local S3 server (which ignores
 *                       If-Match): 412 PreconditionFailed for If-Match/If-Unmodified-Since, else the
 *                       local server's answer to the same GET/HEAD (Range and If-None-Match kept)
 *   /bad-reference/<id>/<bucket>/<key>
 *                       S3 CreateMultipartUpload answered 200 with an UploadId holding a reference
 *                       XML does not have: an unknown entity, then a character past U+10FFFF, in turn
 *   GET /__count/<behaviour>/<id>   how many requests that path received
 * Upstream bodies deliberately contain "UPSTREAM-SECRET-BODY" so tests can assert none is forwarded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { LOCAL_HOST } from "../../local/aws.ts";
import { SLOW_BODY_BYTES, slowBodyBytes } from "./slow-body.ts";

export interface ChaosUpstream {
  endpoint: string;
  stop(): Promise<void>;
}

/** Writes SLOW_BODY_BYTES in `chunks` chunks, pausing `pauseMs` before each chunk after the first. */
async function trickle(response: ServerResponse, chunks: number, pauseMs: number): Promise<void> {
  response.writeHead(200, { "content-type": "binary/octet-stream", "content-length": String(SLOW_BODY_BYTES) });
  const size = Math.ceil(SLOW_BODY_BYTES / chunks);
  for (let from = 0; from < SLOW_BODY_BYTES; from += size) {
    if (from > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    if (response.destroyed) return;
    response.write(slowBodyBytes(from, Math.min(SLOW_BODY_BYTES, from + size)));
  }
  response.end();
}

/** Real S3's If-Match/If-Unmodified-Since answer, else the local S3 server's answer to the same request. */
async function s3Conditional(request: IncomingMessage, response: ServerResponse, s3: string, rest: string) {
  if (request.headers["if-match"] !== undefined || request.headers["if-unmodified-since"] !== undefined) {
    response.writeHead(412, { "content-type": "application/xml" });
    return response.end("<Error><Code>PreconditionFailed</Code><Message>UPSTREAM-SECRET-BODY</Message></Error>");
  }
  const headers: Record<string, string> = {};
  for (const name of [
    "range",
    "if-none-match",
    "if-modified-since",
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
  ]) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  const upstream = await fetch(`${s3}/${rest}`, { method: request.method, headers });
  const out: Record<string, string> = {};
  for (const name of ["content-type", "content-length", "content-range", "etag", "last-modified", "accept-ranges"]) {
    const value = upstream.headers.get(name);
    if (value !== null) out[name] = value;
  }
  response.writeHead(upstream.status, out);
  response.end(Buffer.from(await upstream.arrayBuffer()));
}

export async function startChaosUpstream(forwardTo: string, s3Endpoint = ""): Promise<ChaosUpstream> {
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0]!;
    if (path.startsWith("/__count/")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ count: counts.get(path.slice("/__count".length)) ?? 0 }));
      return;
    }
    const count = (counts.get(path) ?? 0) + 1;
    counts.set(path, count);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const behaviour = path.split("/")[1];
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
        response.end(JSON.stringify(body));
      };
      switch (behaviour) {
        case "throttle":
          return json(400, {
            __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException",
            message: "Rate exceeded UPSTREAM-SECRET-BODY",
          });
        case "server-error":
          return json(500, { __type: "InternalServerError", message: "UPSTREAM-SECRET-BODY" });
        case "slowdown":
          response.writeHead(503, { "content-type": "application/xml" });
          return response.end("<Error><Code>SlowDown</Code><Message>UPSTREAM-SECRET-BODY</Message></Error>");
        case "hang":
          hanging.add(response);
          return;
        case "trickle": {
          const [chunks, pauseMs] = (path.split("/")[3] ?? "").split("x").map(Number);
          hanging.add(response);
          return void trickle(response, chunks || 1, pauseMs || 0).finally(() => hanging.delete(response));
        }
        case "stall": {
          hanging.add(response);
          response.writeHead(200, { "content-type": "binary/octet-stream", "content-length": String(SLOW_BODY_BYTES) });
          return void response.write(slowBodyBytes(0, Number(path.split("/")[3])));
        }
        case "s3-conditional":
          return void s3Conditional(request, response, s3Endpoint, path.split("/").slice(3).join("/")).catch(() =>
            json(500, {}),
          );
        case "crowded": {
          const query = new URL(request.url ?? "/", "http://chaos").searchParams;
          const after = query.get("start-after") ?? "";
          const size = Number(query.get("max-keys") ?? "1000");
          const keys = Array.from(
            { length: size },
            (_, index) => `${after}~${String(count).padStart(4, "0")}-${index}`,
          );
          response.writeHead(200, { "content-type": "application/xml" });
          return response.end(
            `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
              `<Name>media-recordings</Name><Prefix>${query.get("prefix") ?? ""}</Prefix><KeyCount>${size}</KeyCount>` +
              `<MaxKeys>${size}</MaxKeys><IsTruncated>true</IsTruncated>` +
              keys.map((key) => `<Contents><Key>${key}</Key><Size>1</Size></Contents>`).join("") +
              `<NextContinuationToken>page-${count}</NextContinuationToken></ListBucketResult>`,
          );
        }
        case "bad-reference":
          response.writeHead(200, { "content-type": "application/xml" });
          return response.end(
            `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>` +
              `<UploadId>UPSTREAM-SECRET-BODY${count % 2 === 1 ? "&bogus;" : "&#x110000;"}</UploadId>` +
              `</InitiateMultipartUploadResult>`,
          );
        // GetItem answers whose Item is not an item: a string, a list, an unknown attribute type.
        case "item-string":
          return json(200, { Item: "UPSTREAM-SECRET-BODY" });
        case "item-list":
          return json(200, { Item: [{ S: "UPSTREAM-SECRET-BODY" }] });
        case "item-unknown-type":
          return json(200, { Item: { JobId: { S: "upstream-probe" }, JobStatus: { Z: "UPSTREAM-SECRET-BODY" } } });
        case "malformed":
          response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
          return response.end("<<not json UPSTREAM-SECRET-BODY");
        case "rejected":
          return json(400, {
            __type: "com.amazon.coral.validate#ValidationException",
            message: "The provided key element does not match the schema UPSTREAM-SECRET-BODY",
          });
        case "flaky": {
          if (count <= 2) {
            return json(400, { __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException" });
          }
          const headers = Object.fromEntries(
            Object.entries(request.headers).filter(([name]) => !["host", "content-length"].includes(name)),
          ) as Record<string, string>;
          fetch(forwardTo, { method: "POST", headers, body: Buffer.concat(chunks) })
            .then(async (upstream) => {
              response.writeHead(upstream.status, { "content-type": "application/x-amz-json-1.0" });
              response.end(Buffer.from(await upstream.arrayBuffer()));
            })
            .catch(() => json(500, {}));
          return;
        }
        default:
          return json(404, { message: "unknown chaos behaviour" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOCAL_HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
