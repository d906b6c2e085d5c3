import { describe, expect, it } from "vitest";
import { clientRequestToken, leaseForInvocation, uploadEventKey } from "../../../aws-lambdas/shared/idempotency.ts";

describe("uploadEventKey", () => {
  it("identifies an upload by bucket, key and version id, else ETag, else sequencer", () => {
    expect(uploadEventKey("mediaconvert", { bucket: "b", key: "a#b.mp4", versionId: "v1", eTag: "e" })).toBe(
      "mediaconvert#b#v:v1#a#b.mp4",
    );
    expect(uploadEventKey("mediaconvert", { bucket: "b", key: "k", eTag: "e" })).toBe("mediaconvert#b#e:e#k");
    expect(uploadEventKey("faces", { bucket: "b", key: "k", sequencer: "0A" })).toBe("faces#b#s:0A#k");
    expect(uploadEventKey("faces", { bucket: "b", key: "k" })).toBe("faces#b#k#k");
  });

  it("hashes identities beyond DynamoDB's 2048-byte partition key limit", () => {
    const long = uploadEventKey("mediaconvert", { bucket: "b", key: "ü".repeat(1100), eTag: "e" });
    expect(long).toMatch(/^mediaconvert#sha256:[0-9a-f]{64}$/);
  });
});

describe("clientRequestToken", () => {
  it("is deterministic, 64 characters, and valid for MediaConvert and Rekognition", () => {
    const token = clientRequestToken("mediaconvert#b#e:e#k");
    expect(token).toBe(clientRequestToken("mediaconvert#b#e:e#k"));
    expect(token).not.toBe(clientRequestToken("mediaconvert#b#e:f#k"));
    expect(token).toMatch(/^[a-zA-Z0-9-_]{64}$/);
  });
});

describe("leaseForInvocation", () => {
  it("lasts until the invocation must have ended, plus a margin", () => {
    expect(leaseForInvocation({ getRemainingTimeInMillis: () => 30_000 })).toBe(35_000);
    expect(leaseForInvocation(undefined)).toBe(65_000);
  });
});
