/**
 * `npm run upload -- <file> [name] [--type <media type>] [--no-wait]`: uploads a video through the
 * Worker's uploads API (POST /api/media/uploads, presigned PUT or multipart; local/upload-client.ts,
 * the path a browser page takes too) on the stack `npm start` runs, then follows the job through the
 * Worker until it ends (local/follow-upload.ts): exits 0 at COMPLETE, printing a playable URL (with a
 * token when the Worker runs PLAYBACK_POLICY=signed / FACES_POLICY=signed) and the face analysis;
 * exits 1 at ERROR or CANCELED (printing the error), on a refused upload, or after
 * UPLOAD_TIMEOUT_SECONDS (default 600).
 *
 * `name` (default: the file's name) is the file name the API makes the key from (sanitised, in a
 * folder of its own: every upload is a new key and a new job). `--type` overrides the type guessed
 * from the extension. The request carries an upload token (`upload:*`) signed with the secret the
 * local Worker verifies with, or UPLOAD_TOKEN when set; under UPLOAD_POLICY=public it is not needed.
 * Give it the same overrides as `npm start` (WORKER_PORT, TOKEN_SECRET; WORKER_URL for another
 * host): one reader, local/defaults.ts `localStack`. `--no-wait` only uploads.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { mintToken } from "../worker/auth/tokens.ts";
import { localStack, type LocalStack } from "./defaults.ts";
import { followUpload } from "./follow-upload.ts";
import { UploadError, uploadThroughApi } from "./upload-client.ts";

const USAGE = `Usage: npm run upload -- <file> [name] [--type <media type>] [--no-wait]

Uploads <file> through the Worker's uploads API on the local stack (npm start must be running) and
follows the job until it is COMPLETE or fails.`;

/** Progress is printed every this many bytes (and at the end). */
const PROGRESS_STEP_BYTES = 64 * 1024 * 1024;

/** The upload token: UPLOAD_TOKEN, else one minted with the secret the local Worker verifies with. */
async function uploadToken(stack: LocalStack): Promise<string> {
  if (process.env.UPLOAD_TOKEN) return process.env.UPLOAD_TOKEN;
  return mintToken(stack.tokenSecret.value, { scope: "upload:*", purpose: "upload", ttlSeconds: 3600 });
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

/** Uploads through the API, printing progress; the key (`input_file`) it was stored under. */
async function upload(stack: LocalStack, file: string, name?: string, type?: string): Promise<string> {
  const worker = stack.endpoints.worker;
  let lastShown = 0;
  try {
    const uploaded = await uploadThroughApi({
      file: resolve(file),
      ...(name ? { fileName: name } : {}),
      ...(type ? { contentType: type } : {}),
      api: (path, init) => fetch(`${worker}${path}`, { ...init, signal: AbortSignal.timeout(30_000) }),
      token: await uploadToken(stack),
      onProgress: (sent, total) => {
        if (sent === total || sent - lastShown >= PROGRESS_STEP_BYTES) {
          lastShown = sent;
          console.log(`  ${sent} / ${total} bytes`);
        }
      },
    });
    console.log(`Uploaded (${uploaded.kind}) as input_file ${uploaded.inputFile}`);
    return uploaded.inputFile;
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw new Error(
      `Upload through ${worker} failed (${(error as Error).message}). Is the local stack running (\`npm start\`)?`,
      { cause: error },
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const { file, name, type, wait, extra } = parseArgs(argv);
  if (!file || extra.length > 0 || file === "-h" || file === "--help") {
    process.stderr.write(`${USAGE}\n`);
    return file === "-h" || file === "--help" ? 0 : 2;
  }
  const stack = localStack(process.env);
  const inputFile = await upload(stack, file, name, type);
  if (!wait) {
    const lookup = `${stack.endpoints.worker}/api/media/job_id?input_file=${encodeURIComponent(inputFile)}`;
    console.log(`Follow it: curl '${lookup}'`);
    return 0;
  }
  const timeoutSeconds = Number(process.env.UPLOAD_TIMEOUT_SECONDS ?? 600);
  return followUpload({
    stack,
    inputFile,
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
