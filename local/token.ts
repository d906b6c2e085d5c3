/**
 * `npm run token -- <job_id> [--ttl 3600]`
 * `npm run token -- --stream <name> [--ttl 3600]`   (a recorder stream; `--stream '*'` for all)
 * `npm run token -- --stream '' ...`                 (recordings directly under the prefix)
 * `npm run token -- --faces <input_file> ...`        (an upload's faces; `--faces '*'` for all)
 * `npm run token -- --faces-job <rekognition job id> ...`
 * `npm run token -- --upload [--prefix <key prefix>] [--max-bytes N] ...`  (an upload token, `pur: upload`)
 * `npm run token -- --demo ...`                      (one play token for every job, stream and face
 *                                                     result: `sub: "job:* rec:* faces:*"`, for the demo page)
 *
 * Mints a playback token (`pur: play`) as the customer's backend would, signed with TOKEN_SECRET
 * from the environment or the local stack's default secret. Prints the token alone on stdout (for
 * `$(npm run -s token -- ...)`), and how to use it on stderr.
 */
import { facesScope, jobScope, mintToken, recordingScope } from "../worker/auth/tokens.ts";
import { LOCAL_TOKEN_SECRET } from "./defaults.ts";

const USAGE = [
  "usage: npm run token -- <job_id> [--ttl <seconds>]",
  "       npm run token -- --stream <name|'*'|''> [--ttl <seconds>]",
  "       npm run token -- --faces <input_file|'*'> [--ttl <seconds>]",
  "       npm run token -- --faces-job <rekognition job id> [--ttl <seconds>]",
  "       npm run token -- --upload [--prefix <key prefix>] [--max-bytes <bytes>] [--ttl <seconds>]",
  "       npm run token -- --demo [--ttl <seconds>]   (demo/admin backends only: every job, stream, face result)",
].join("\n");
/** The demo page's one play token: every job's playback, every stream, every face result (RFC 8693 scopes). */
export const DEMO_SCOPE = "job:* rec:* faces:*";
const MAX_TTL_SECONDS = 31 * 86_400;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let ttl = 3600;
  let jobId: string | undefined;
  let stream: string | undefined;
  let faces: { by: "input_file" | "job_id"; value: string } | undefined;
  let upload = false;
  let demo = false;
  let prefix: string | undefined;
  let maxBytes: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--upload") {
      upload = true;
      continue;
    }
    if (arg === "--demo") {
      demo = true;
      continue;
    }
    if (arg === "--prefix") {
      prefix = argv[++i];
      if (prefix === undefined || /[\s*]/.test(prefix)) fail("--prefix needs a key prefix (no white space or *)");
      continue;
    }
    if (arg === "--max-bytes") {
      const value = argv[++i];
      if (value === undefined || !/^[1-9]\d{0,15}$/.test(value)) fail("--max-bytes must be a positive whole number");
      maxBytes = Number(value);
      continue;
    }
    if (arg === "--ttl") {
      const value = argv[++i];
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_TTL_SECONDS) {
        fail(`--ttl must be a whole number of seconds between 1 and ${MAX_TTL_SECONDS}`);
      }
      ttl = Number(value);
    } else if (arg === "--stream") {
      const value = argv[++i];
      if (value === undefined) fail("--stream needs a stream name ('*' for all streams, '' for the root)");
      stream = value;
    } else if (arg === "--faces" || arg === "--faces-job") {
      const value = argv[++i];
      if (value === undefined || value === "")
        fail(`${arg} needs ${arg === "--faces" ? "an input file key" : "a job id"}`);
      faces = { by: arg === "--faces" ? "input_file" : "job_id", value };
    } else if (arg === "-h" || arg === "--help") {
      console.error(USAGE);
      return;
    } else if (arg.startsWith("--")) {
      fail(`unknown option ${arg}`);
    } else if (jobId === undefined) {
      jobId = arg;
    } else {
      fail(`unexpected argument ${arg}`);
    }
  }
  const kinds = [jobId, stream, faces].filter((given) => given !== undefined).length + Number(upload) + Number(demo);
  if (kinds !== 1) fail("give one of: a job id, --stream, --faces, --faces-job, --upload, --demo");
  if (!upload && (prefix !== undefined || maxBytes !== undefined)) fail("--prefix and --max-bytes go with --upload");
  if (faces?.by === "job_id" && faces.value !== "*" && !/^[a-zA-Z0-9_-]{1,64}$/.test(faces.value)) {
    fail(`not a Rekognition job id: ${faces.value}`);
  }
  if (jobId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(jobId)) fail(`not a job id: ${jobId}`);
  if (
    stream !== undefined &&
    stream !== "*" &&
    stream !== "" &&
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(stream)
  ) {
    fail(`not a stream name: ${stream}`);
  }

  const fromEnvironment = process.env.TOKEN_SECRET;
  const secret = fromEnvironment && fromEnvironment.trim() !== "" ? fromEnvironment.trim() : LOCAL_TOKEN_SECRET;
  if (secret.length < 32) fail("TOKEN_SECRET must be at least 32 characters (as the Worker requires)");
  if (upload || demo) {
    const scope = upload ? `upload:${prefix === undefined || prefix === "" ? "*" : prefix}` : DEMO_SCOPE;
    const token = await mintToken(secret, {
      scope,
      purpose: upload ? "upload" : "play",
      ttlSeconds: ttl,
      ...(maxBytes !== undefined ? { maxBytes } : {}),
    });
    process.stdout.write(`${token}\n`);
    console.error(
      `scope ${scope}${maxBytes !== undefined ? `, max ${maxBytes} bytes` : ""}, expires in ${ttl} s\n` +
        (upload
          ? `e.g. curl -X POST -H "authorization: Bearer ${token}" -H "content-type: application/json" ` +
            `-d '{"file_name":"clip.mp4","content_type":"video/mp4","size":1234}' http://127.0.0.1:8787/api/media/uploads`
          : `e.g. curl "http://127.0.0.1:8787/api/media/vod/<job_id>/<master>.m3u8?token=${token}"`),
    );
    return;
  }
  const scope =
    jobId !== undefined
      ? jobScope(jobId)
      : faces !== undefined
        ? faces.value === "*"
          ? "faces:*"
          : facesScope(faces)
        : recordingScope(stream!);
  const token = await mintToken(secret, { scope, purpose: "play", ttlSeconds: ttl });

  process.stdout.write(`${token}\n`);
  const expires = new Date((Math.floor(Date.now() / 1000) + ttl) * 1000).toISOString();
  console.error(
    `scope ${scope}, expires ${expires}, signed with ${fromEnvironment ? "TOKEN_SECRET from the environment" : "the local default secret"}\n` +
      (jobId !== undefined
        ? `e.g. curl "http://127.0.0.1:8787/api/media/vod/${jobId}/<master>.m3u8?token=${token}"`
        : faces !== undefined
          ? `e.g. curl "http://127.0.0.1:8787/api/media/faces?${faces.by}=${faces.value === "*" ? "<value>" : encodeURIComponent(faces.value)}&token=${token}"`
          : `e.g. curl "http://127.0.0.1:8787/api/media/recordings/playlist.m3u8?${stream === "" || stream === "*" ? "" : `stream=${stream}&`}start=<time>&token=${token}"`),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
