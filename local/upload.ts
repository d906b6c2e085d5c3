/**
 * `npm run upload -- <file> [key] [--no-wait]`: uploads a video to the local input bucket of the
 * stack `npm start` runs, then follows the job through the Worker until it ends
 * (local/follow-upload.ts): exits 0 at COMPLETE, printing a playable URL (with a token when the
 * Worker runs PLAYBACK_POLICY=signed / FACES_POLICY=signed) and the face analysis; exits 1 at ERROR
 * or CANCELED, printing the error, or after UPLOAD_TIMEOUT_SECONDS (default 600).
 *
 * The key defaults to the file's name. Give it the same overrides as `npm start` (S3_PORT,
 * WORKER_PORT, INPUT_BUCKET(S), TOKEN_SECRET; S3_ENDPOINT / WORKER_URL for other hosts): one reader,
 * local/defaults.ts `localStack`. `--no-wait` only uploads.
 * Uploading the same bytes to the same key again is the same upload (idempotency keys on the ETag):
 * no second job starts. Change the key or the file to transcode again.
 */
import { createReadStream, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { localS3Client } from "./aws.ts";
import { localStack, type LocalStack } from "./defaults.ts";
import { followUpload } from "./follow-upload.ts";

const USAGE = `Usage: npm run upload -- <file> [key] [--no-wait]

Uploads <file> to s3://${localStack(process.env).inputBucket}/<key> on the local stack (npm start must be
running) and follows the job until it is COMPLETE or fails.`;

/** Puts the file at `key` in the stack's input bucket; its size. */
export async function uploadFile(stack: LocalStack, path: string, key: string): Promise<number> {
  const size = statSync(path).size;
  const s3 = localS3Client(stack.endpoints.s3);
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: stack.inputBucket, Key: key, Body: createReadStream(path), ContentLength: size }),
    );
  } catch (error) {
    throw new Error(
      `Upload to ${stack.endpoints.s3} failed (${(error as Error).message}). Is the local stack running (\`npm start\`)?`,
      { cause: error },
    );
  } finally {
    s3.destroy();
  }
  return size;
}

async function main(argv: string[]): Promise<number> {
  const wait = !argv.includes("--no-wait");
  const [file, keyArgument, ...extra] = argv.filter((arg) => arg !== "--no-wait");
  if (!file || extra.length > 0 || file === "-h" || file === "--help") {
    process.stderr.write(`${USAGE}\n`);
    return file === "-h" || file === "--help" ? 0 : 2;
  }
  const stack = localStack(process.env);
  const path = resolve(file);
  const key = keyArgument ?? basename(path);
  const size = await uploadFile(stack, path, key);
  console.log(`Uploaded ${size} bytes to s3://${stack.inputBucket}/${key}`);
  if (!wait) {
    console.log(`Follow it: curl '${stack.endpoints.worker}/api/media/job_id?input_file=${encodeURIComponent(key)}'`);
    return 0;
  }
  const timeoutSeconds = Number(process.env.UPLOAD_TIMEOUT_SECONDS ?? 600);
  return followUpload({
    stack,
    inputFile: key,
    deadline: Date.now() + (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 600) * 1000,
    print: (line) => console.log(line),
  });
}

// Run as the `npm run upload` script; imported (tests), it only exports its functions.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
