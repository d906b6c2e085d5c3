/**
 * S3's upload limits and the batch size of part URLs: plain numbers, shared by the config reader
 * and the uploads core. https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */

/** S3's multipart limits: parts of 5 MiB..5 GiB (the last may be smaller), at most 10,000 parts. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
/** The part size we prefer (the AWS CLI's default chunk): small enough to retry cheaply. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
/** Largest single PUT S3 accepts. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** Largest object S3 stores (multipart). */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 4;
/** Most part URLs one /uploads/parts request presigns. */
export const MAX_PART_BATCH = 100;
