/**
 * Why the Lambda bundles may leave the SDK's pure-JavaScript hashes out (aws-lambdas/shared/no-js-hashes.ts):
 * on Node 22, which the Lambda runtime (nodejs22.x) and these tests run, each of the SDK's Node hash
 * classes is node:crypto's (or zlib's), never the JavaScript fallback.
 */
import { Sha1Js, Sha1Node } from "@aws-sdk/checksums/sha";
import { Crc32Js, Crc32Node, Md5Js, Md5Node, Sha256Js, Sha256Node } from "@smithy/core/checksum";
import { describe, expect, it } from "vitest";
import * as standIn from "../../aws-lambdas/shared/no-js-hashes.ts";

describe("the SDK's hashes on the Lambdas' Node", () => {
  it("runs Node 22 or later (the Lambda runtime is nodejs22.x; package.json engines >= 22.12)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
  });

  it("chose node:crypto's SHA-256, SHA-1 and MD5 and zlib's CRC32 over the JavaScript classes", async () => {
    const pairs = [
      [Sha256Node, Sha256Js],
      [Sha1Node, Sha1Js],
      [Md5Node, Md5Js],
      [Crc32Node, Crc32Js],
    ] as const;
    for (const [node, js] of pairs) expect(node).not.toBe(js);
    const sha256 = new Sha256Node();
    sha256.update(new TextEncoder().encode("abc"));
    expect(Buffer.from(await sha256.digest()).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("the bundles' stand-ins fail loudly if a runtime ever lacked one", () => {
    for (const Class of [standIn.Sha256Js, standIn.Sha1Js, standIn.Md5Js, standIn.Crc32Js]) {
      expect(() => new Class()).toThrow(/not bundled in the Lambdas/);
    }
  });
});
