/**
 * `npm run upload -- <file> [key]`: uploads a video to the local input bucket (s3://media-input/ by
 * default) of the stack `npm start` runs, then follows the job through the Worker until it ends:
 * the MediaConvert status (GET /api/media/job_id, then /api/media/status) and the face analysis
 * (GET /api/media/faces). Exits 0 when the job is COMPLETE, 1 on ERROR/CANCELED or a timeout.
 *
 * The key defaults to the file's name. S3_PORT/S3_ENDPOINT, WORKER_PORT, INPUT_BUCKET move things;
 * `--no-wait` only uploads; UPLOAD_TIMEOUT_SECONDS (default 600) bounds the wait.
 * Uploading the same bytes to the same key again is the same upload (idempotency keys on the ETag):
 * no second job starts. Change the key or the file to transcode again.
 */
import { createReadStream, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DEFAULT_BUCKETS } from "../model/index.ts";
import { localS3Client } from "./aws.ts";
import { localEndpoints, localPorts } from "./defaults.ts";

const USAGE = `Usage: npm run upload -- <file> [key] [--no-wait]

Uploads <file> to s3://${process.env.INPUT_BUCKET ?? DEFAULT_BUCKETS.input}/<key> on the local stack (npm start must be
running) and follows the job until it is COMPLETE or fails.`;

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: { message: text.slice(0, 200) } };
  }
}

async function main(argv: string[]): Promise<number> {
  const wait = !argv.includes("--no-wait");
  const [file, keyArgument, ...extra] = argv.filter((arg) => arg !== "--no-wait");
  if (!file || extra.length > 0 || file === "-h" || file === "--help") {
    process.stderr.write(`${USAGE}\n`);
    return file === "-h" || file === "--help" ? 0 : 2;
  }
  const path = resolve(file);
  const size = statSync(path).size;
  const key = keyArgument ?? basename(path);
  const bucket = process.env.INPUT_BUCKET ?? DEFAULT_BUCKETS.input;
  const endpoints = localEndpoints(localPorts(process.env));
  const s3Endpoint = process.env.S3_ENDPOINT ?? endpoints.s3;
  const worker = process.env.WORKER_URL ?? endpoints.worker;

  const s3 = localS3Client(s3Endpoint);
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: size }),
    );
  } catch (error) {
    throw new Error(
      `Upload to ${s3Endpoint} failed (${(error as Error).message}). Is the local stack running (\`npm start\`)?`,
      { cause: error },
    );
  } finally {
    s3.destroy();
  }
  console.log(`Uploaded ${size} bytes to s3://${bucket}/${key}`);
  const inputFile = encodeURIComponent(key);
  if (!wait) {
    console.log(`Follow it: curl '${worker}/api/media/job_id?input_file=${inputFile}'`);
    return 0;
  }

  const deadline = Date.now() + Number(process.env.UPLOAD_TIMEOUT_SECONDS ?? 600) * 1000;
  let jobId: string | undefined;
  let last = "";
  let facesDone = false;
  let jobDone: number | undefined;
  while (Date.now() < deadline) {
    if (!jobId) {
      const { status, body } = await getJson(`${worker}/api/media/job_id?input_file=${inputFile}`);
      if (status === 200 && typeof body.job_id === "string") {
        jobId = body.job_id;
        console.log(`MediaConvert job ${jobId}`);
        console.log(`  curl '${worker}/api/media/status?job_id=${encodeURIComponent(jobId)}'`);
      }
    }
    if (jobId && jobDone === undefined) {
      const { body } = await getJson(`${worker}/api/media/status?job_id=${encodeURIComponent(jobId)}`);
      const line = `  status ${String(body.job_status)} ${String(body.progress_rate ?? "")}%`;
      if (line !== last) console.log((last = line));
      if (body.job_status === "COMPLETE") {
        console.log(`  ${JSON.stringify(body)}`);
        const master = Array.isArray(body.playlist_paths) ? body.playlist_paths[0] : undefined;
        if (typeof master === "string") {
          console.log(
            `  play: ffplay '${worker}/api/media/vod/${encodeURIComponent(jobId)}/${encodeURIComponent(master)}'`,
          );
        }
        jobDone = 0;
      } else if (body.job_status === "ERROR" || body.job_status === "CANCELED") {
        console.log(`  ${JSON.stringify(body)}`);
        jobDone = 1;
      }
    }
    if (!facesDone) {
      const { status, body } = await getJson(`${worker}/api/media/faces?input_file=${inputFile}&limit=3`);
      const analysis = String(body.analysis_status ?? "");
      if (status === 200 && /^(SUCCEEDED|FAILED|SKIPPED)$/.test(analysis)) {
        const detail =
          analysis === "SUCCEEDED"
            ? `${String(body.face_count)} faces (synthetic locally) over ${String(body.video_duration_ms)} ms`
            : String(body.status_message ?? "");
        console.log(`Face analysis ${analysis}: ${detail}`);
        console.log(`  curl '${worker}/api/media/faces?input_file=${inputFile}&limit=5'`);
        facesDone = true;
      }
    }
    if (jobDone !== undefined && facesDone) return jobDone;
    await new Promise((done) => setTimeout(done, 1000));
  }
  console.error(`Timed out waiting for the job (UPLOAD_TIMEOUT_SECONDS).`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
