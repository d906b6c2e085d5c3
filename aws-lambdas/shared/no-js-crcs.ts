/**
 * What the Lambda bundles load in place of the SDK's JavaScript CRC32C and CRC64NVME
 * (@aws-sdk/checksums; aws-lambdas/build-plugins.ts requestedCrcs swaps them in, the sources and the
 * tests keep the SDK's). Node has neither natively, so these classes are the SDK's only ones, used by
 * the flexible checksums when a request asks for that algorithm (its `ChecksumAlgorithm` member; the
 * default is CRC32, zlib's) or when the SDK validates a response checksum (operations such as
 * GetObject, with `ChecksumMode`). The functions do neither: no source bundled into a function sets
 * `ChecksumAlgorithm` or calls such an operation, and test/unit/lambda-checksums.test.ts sends the S3
 * requests recording-index sent through the S3 client against responses that carry both checksums,
 * and sees neither class built. The two are 1.7 KiB minified in a function with the S3 client (a
 * CRC64 table and its code). Today no function has it (they reach S3 through
 * aws-lambdas/shared/s3-objects.ts), so the plugin finds nothing to swap; it stays for the day one does.
 */

function unavailable(algorithm: string): never {
  throw new Error(
    `The JavaScript ${algorithm} is not bundled in the Lambdas (aws-lambdas/build-plugins.ts requestedCrcs).`,
  );
}

export class Crc32cJs {
  constructor() {
    unavailable("CRC32C");
  }
}

export class Crc64NvmeJs {
  constructor() {
    unavailable("CRC64NVME");
  }
}
