/**
 * The one reader of the local stack's addresses and names (local/defaults.ts `localStack`): the
 * helpers (`npm run upload`, `token`, `invoke`) must reach the servers `npm start` runs with the
 * same overrides, never a fixed 127.0.0.1:8787.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCAL_PORTS, LOCAL_TOKEN_SECRET, localStack, localWorkerDefaults } from "../../local/defaults.ts";
import { ConfigError, readConfig } from "../../worker/config.ts";
import { targetScope, vodUrl, withToken } from "../../local/playback.ts";

describe("localWorkerDefaults", () => {
  it("logs every request on the laptop, as docs/local.md says npm start shows (deployments log AWS calls and errors)", () => {
    const config = readConfig(localWorkerDefaults(localStack({}).endpoints));
    if (config instanceof ConfigError) throw config;
    expect(config.accessLog).toBe("all");
  });
});

describe("localStack", () => {
  it("follows the port variables npm start reads", () => {
    const stack = localStack({ WORKER_PORT: "8788", S3_PORT: "4570", DYNAMODB_PORT: "8001", EMULATOR_PORT: "4571" });
    expect(stack.endpoints).toEqual({
      worker: "http://127.0.0.1:8788",
      s3: "http://127.0.0.1:4570",
      dynamodb: "http://127.0.0.1:8001",
      emulators: "http://127.0.0.1:4571",
    });
    expect(localStack({}).ports).toEqual(DEFAULT_LOCAL_PORTS);
  });

  it("lets WORKER_URL, S3_ENDPOINT and DYNAMODB_ENDPOINT name other hosts", () => {
    const stack = localStack({
      WORKER_PORT: "8788",
      WORKER_URL: "http://worker.test:9000/",
      S3_ENDPOINT: "http://s3.test:9001",
      DYNAMODB_ENDPOINT: "http://ddb.test:9002",
    });
    expect(stack.endpoints).toMatchObject({
      worker: "http://worker.test:9000",
      s3: "http://s3.test:9001",
      dynamodb: "http://ddb.test:9002",
    });
  });

  it("names the input bucket as the Lambdas read it: INPUT_BUCKETS first, then INPUT_BUCKET", () => {
    expect(localStack({}).inputBucket).toBe("media-input");
    expect(localStack({ INPUT_BUCKET: "uploads" }).inputBucket).toBe("uploads");
    expect(localStack({ INPUT_BUCKET: "uploads", INPUT_BUCKETS: "first, second" }).inputBucket).toBe("first");
  });

  it("signs with TOKEN_SECRET when set, else the local default, and says which", () => {
    expect(localStack({}).tokenSecret).toEqual({ value: LOCAL_TOKEN_SECRET, fromEnvironment: false });
    expect(localStack({ TOKEN_SECRET: " s".padEnd(40, "x") }).tokenSecret).toEqual({
      value: "s".padEnd(39, "x"),
      fromEnvironment: true,
    });
  });

  it("refuses a port that is not one, naming the variable", () => {
    expect(() => localStack({ WORKER_PORT: "87a7" })).toThrow(/WORKER_PORT must be a TCP port/);
  });
});

describe("playback URLs", () => {
  it("encode the job and the master playlist's name, and append the token", () => {
    expect(withToken(vodUrl("http://127.0.0.1:8788", "123-abc", "clip 1+2.m3u8"), "t.o.k")).toBe(
      "http://127.0.0.1:8788/api/media/vod/123-abc/clip%201%2B2.m3u8?token=t.o.k",
    );
    expect(withToken("http://w/api/media/faces?input_file=a&limit=5", "t.o.k")).toBe(
      "http://w/api/media/faces?input_file=a&limit=5&token=t.o.k",
    );
    expect(targetScope({ kind: "faces", by: "input_file", value: "*" })).toBe("faces:*");
    expect(targetScope({ kind: "stream", stream: "cam1" })).toBe("rec:cam1");
  });
});
