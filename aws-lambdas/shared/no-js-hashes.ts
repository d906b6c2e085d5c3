/**
 * What the Lambda bundles load in place of the SDK's pure-JavaScript SHA-256, SHA-1, MD5 and CRC32
 * (aws-lambdas/build-plugins.ts nativeHashes swaps them in; the sources and the tests keep the SDK's).
 *
 * The SDK's Node hashes (`Sha256Node`, `Sha1Node`, `Md5Node` in @smithy/core/checksum and
 * @aws-sdk/checksums, `Crc32Node`) pick, once when their module loads, node:crypto's `createHash`
 * (or `zlib.crc32`, Node >= 22.2) when this Node has it, and the JavaScript class only when it has
 * not. The Lambda runtime is nodejs22.x, a stock Node build: it has all four
 * (test/unit/lambda-native-hashes.test.ts checks them on the Node the tests run, which is 22), so the
 * JavaScript classes (7 KiB minified in each S3 function) are never chosen. Should a runtime lack
 * one (MD5 under an OpenSSL FIPS configuration), the class here fails loudly where the SDK would
 * have computed the hash in JavaScript.
 */

function unavailable(algorithm: string): never {
  throw new Error(
    `node:crypto has no ${algorithm} here and the JavaScript ${algorithm} is not bundled in the Lambdas (aws-lambdas/build-plugins.ts nativeHashes).`,
  );
}

export class Sha256Js {
  constructor() {
    unavailable("SHA-256");
  }
}

export class Sha1Js {
  constructor() {
    unavailable("SHA-1");
  }
}

export class Md5Js {
  constructor() {
    unavailable("MD5");
  }
}

export class Crc32Js {
  constructor() {
    unavailable("CRC32");
  }
}
