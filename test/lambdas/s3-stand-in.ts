/**
 * A stand-in for S3 (on the local emulators' server) for what the local S3 server never answers:
 * 5xx, 403, a failed condition (412, 409), a redirect, silence, a body that stops half way, a
 * listing that is not one. It answers each request with the next step of its script and records
 * every request as it came over the wire, so tests assert on what was sent.
 */
import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll } from "vitest";
import { createS3Objects, type S3Objects, type S3ObjectsOptions } from "../../aws-lambdas/shared/s3-objects.ts";
import { LOCAL_CREDENTIALS } from "../../local/constants.ts";
import { type EmulatorServer, readBody, startEmulatorServer } from "../../local/emulators/http.ts";
import { s3Location } from "../../worker/aws/s3-url.ts";

/** One request as the stand-in received it. */
export interface Captured {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What the stand-in does with one request: answer (with `code`: an S3 error body that also echoes
 * something secret, as S3's can echo what was signed; else `body`, empty by default), stay silent,
 * or send a 200's head and part of its body and then nothing more.
 */
export type Step =
  { status: number; code?: string; headers?: Record<string, string>; body?: string } | "silence" | "stall-body";

/** What an S3 error body echoes that no error message may repeat. */
export const ECHOED_SECRET = "AWS4-HMAC-SHA256 secret-ish";

export interface S3StandIn {
  endpoint: string;
  /** The requests since the last `script`. */
  requests: Captured[];
  /** Answers the next requests with these steps in turn (then 200, empty), and forgets the requests so far. */
  script(steps: Step[]): void;
  /** The Lambdas' S3 requests to the stand-in: retries without waiting, a fixed signing time, a session token. */
  objects(overrides?: Partial<S3ObjectsOptions>): { objects: S3Objects; sleeps: number[] };
}

export const STAND_IN_REGION = "ap-northeast-1";
export const SIGNING_TIME = new Date("2026-11-21T12:00:00Z");
export const SESSION_TOKEN = "session-token";

/** Starts the stand-in before the file's tests, stops it after them. Call at the file's top level. */
export function s3StandIn(): S3StandIn {
  let server: EmulatorServer | undefined;
  let steps: Step[] = [];
  const standIn: S3StandIn = {
    get endpoint() {
      if (!server) throw new Error("the S3 stand-in is not running yet");
      return server.endpoint;
    },
    requests: [],
    script(next) {
      standIn.requests = [];
      steps = [...next];
    },
    objects(overrides = {}) {
      const sleeps: number[] = [];
      const objects = createS3Objects({
        region: STAND_IN_REGION,
        location: s3Location(STAND_IN_REGION, standIn.endpoint),
        credentials: async () => ({ ...LOCAL_CREDENTIALS, sessionToken: SESSION_TOKEN }),
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 1,
        now: () => SIGNING_TIME,
        ...overrides,
      });
      return { objects, sleeps };
    },
  };
  beforeAll(async () => {
    server = await startEmulatorServer(
      [
        async (request, response) => {
          standIn.requests.push({
            method: request.method ?? "",
            url: request.url ?? "",
            headers: request.headers,
            body: await readBody(request),
          });
          const step = steps.shift() ?? { status: 200 };
          if (step === "silence") return true;
          if (step === "stall-body") {
            response.writeHead(200, { "content-type": "application/xml", "content-length": "1000" });
            response.write("<?xml");
            return true;
          }
          const body =
            step.code === undefined
              ? (step.body ?? "")
              : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${step.code}</Code><Message>m</Message><StringToSign>${ECHOED_SECRET}</StringToSign></Error>`;
          response.writeHead(step.status, { "content-type": "application/xml", ...step.headers });
          response.end(request.method === "HEAD" ? undefined : body);
          return true;
        },
      ],
      0,
      "the S3 stand-in",
    );
  });
  afterAll(() => server?.stop());
  return standIn;
}

/** A ListObjectsV2 answer as S3 writes it with `encoding-type=url` (keys given decoded, encoded here as S3 does). */
export function listingXml(page: {
  keys: string[];
  commonPrefixes?: string[];
  nextContinuationToken?: string;
}): string {
  // S3's url encoding: a space as "+", everything but unreserved characters and "/" percent-encoded.
  const encode = (key: string) => encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
  const contents = page.keys
    .map(
      (key) =>
        `<Contents><Key>${encode(key)}</Key><LastModified>2026-11-21T12:00:00.000Z</LastModified>` +
        `<ETag>&quot;0&quot;</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  const prefixes = (page.commonPrefixes ?? [])
    .map((prefix) => `<CommonPrefixes><Prefix>${encode(prefix)}</Prefix></CommonPrefixes>`)
    .join("");
  const truncated = page.nextContinuationToken !== undefined;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>b</Name><Prefix></Prefix><KeyCount>${page.keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
    `<EncodingType>url</EncodingType><IsTruncated>${truncated}</IsTruncated>` +
    (truncated ? `<NextContinuationToken>${page.nextContinuationToken}</NextContinuationToken>` : "") +
    `${contents}${prefixes}</ListBucketResult>`
  );
}
