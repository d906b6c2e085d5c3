/**
 * `npm run upload -- <file> [name]`: uploads a video through the Worker's uploads API (POST
 * /api/media/uploads, presigned PUT or multipart; local/upload-client.ts, the path a browser page
 * takes too) on the stack `npm start` runs, then follows the job through the Worker until it ends:
 * the MediaConvert status (GET /api/media/job_id, then /api/media/status) and the face analysis
 * (GET /api/media/faces). Exits 0 when the job is COMPLETE, 1 on ERROR/CANCELED, a refused upload or a
 * timeout.
 *
 * `name` (default: the file's name) is the file name the API makes the key from (sanitised, in a
 * folder of its own: every upload is a new key and a new job). `--type <media type>` overrides the
 * type guessed from the extension. The request carries an upload token (`upload:*`) signed with
 * TOKEN_SECRET or the local default secret, or UPLOAD_TOKEN when set; under UPLOAD_POLICY=public it is
 * not needed. WORKER_URL / WORKER_PORT move the Worker; `--no-wait` only uploads;
 * UPLOAD_TIMEOUT_SECONDS (default 600) bounds the wait.
 */
import { resolve } from "node:path";
import { mintToken } from "../worker/auth/tokens.ts";
import { LOCAL_TOKEN_SECRET, localEndpoints, localPorts } from "./defaults.ts";
import { UploadError, uploadThroughApi } from "./upload-client.ts";

const USAGE = `Usage: npm run upload -- <file> [name] [--type <media type>] [--no-wait]

Uploads <file> through the Worker's uploads API on the local stack (npm start must be running) and
follows the job until it is COMPLETE or fails.`;

/** The upload token: UPLOAD_TOKEN, else one minted with TOKEN_SECRET or the local default secret. */
async function uploadToken(): Promise<string> {
  if (process.env.UPLOAD_TOKEN) return process.env.UPLOAD_TOKEN;
  const secret = process.env.TOKEN_SECRET?.trim() || LOCAL_TOKEN_SECRET;
  return mintToken(secret, { scope: "upload:*", purpose: "upload", ttlSeconds: 3600 });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: { message: text.slice(0, 200) } };
  }
}

/** Options out of argv: positional file and name, `--type`, `--no-wait`. */
function parseArgs(argv: string[]): { file?: string; name?: string; type?: string; wait: boolean; extra: string[] } {
  const positional: string[] = [];
  let type: string | undefined;
  let wait = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--no-wait") wait = false;
    else if (argv[i] === "--type") type = argv[++i];
    else positional.push(argv[i]!);
  }
  const [file, name, ...extra] = positional;
  return { file, name, type, wait, extra };
}

async function main(argv: string[]): Promise<number> {
  const { file, name, type, wait, extra } = parseArgs(argv);
  if (!file || extra.length > 0 || file === "-h" || file === "--help") {
    process.stderr.write(`${USAGE}\n`);
    return file === "-h" || file === "--help" ? 0 : 2;
  }
  const worker = process.env.WORKER_URL ?? localEndpoints(localPorts(process.env)).worker;
  let lastShown = 0;
  let uploaded;
  try {
    uploaded = await uploadThroughApi({
      file: resolve(file),
      ...(name ? { fileName: name } : {}),
      ...(type ? { contentType: type } : {}),
      api: (path, init) => fetch(`${worker}${path}`, { ...init, signal: AbortSignal.timeout(30_000) }),
      token: await uploadToken(),
      onProgress: (sent, total) => {
        if (sent === total || sent - lastShown >= 64 * 1024 * 1024) {
          lastShown = sent;
          console.log(`  ${sent} / ${total} bytes`);
        }
      },
    });
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw new Error(
      `Upload through ${worker} failed (${(error as Error).message}). Is the local stack running (\`npm start\`)?`,
      {
        cause: error,
      },
    );
  }
  console.log(`Uploaded (${uploaded.kind}) as input_file ${uploaded.inputFile}`);
  const inputFile = encodeURIComponent(uploaded.inputFile);
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
