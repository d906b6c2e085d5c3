/**
 * `npm run token -- <job_id> [--ttl 3600] [--thumbnail]`  (--thumbnail: the job's stills only, `pur: thumbnail`)
 * `npm run token -- --stream <name> [--ttl 3600]`   (a recorder stream; `--stream '*'` for all)
 * `npm run token -- --stream '' ...`                 (recordings directly under the prefix)
 * `npm run token -- --faces <input_file> ...`        (an upload's faces; `--faces '*'` for all)
 * `npm run token -- --faces-job <rekognition job id> ...`
 * `npm run token -- --upload [--prefix <key prefix>] [--max-bytes N] ...`  (an upload token, `pur: upload`)
 * `npm run token -- --demo ...`                      (one play token for every job, stream and face
 *                                                     result: `sub: "job:* rec:* faces:*"`, for the demo page)
 *
 * Mints a token as the customer's backend would, signed with TOKEN_SECRET from the environment or
 * the local stack's default secret. Prints the token alone on stdout (for
 * `$(npm run -s token -- ...)`), and on stderr a URL to try it with on the stack `npm start` runs:
 * give it the same WORKER_PORT / WORKER_URL / TOKEN_SECRET as `npm start` (local/defaults.ts reads
 * them). For a job, the master playlist's name is asked of the Worker (its status route).
 */
import { localStack } from "./defaults.ts";
import {
  facesUrl,
  masterPlaylist,
  mintLocalToken,
  recordingsUrl,
  statusUrl,
  targetScope,
  vodUrl,
  withToken,
  type TokenTarget,
} from "./playback.ts";

const USAGE = [
  "usage: npm run token -- <job_id> [--ttl <seconds>] [--thumbnail]",
  "       npm run token -- --stream <name|'*'|''> [--ttl <seconds>]",
  "       npm run token -- --faces <input_file|'*'> [--ttl <seconds>]",
  "       npm run token -- --faces-job <rekognition job id> [--ttl <seconds>]",
  "       npm run token -- --upload [--prefix <key prefix>] [--max-bytes <bytes>] [--ttl <seconds>]",
  "       npm run token -- --demo [--ttl <seconds>]   (demo/admin backends only: every job, stream, face result)",
].join("\n");
const MAX_TTL_SECONDS = 31 * 86_400;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** What the command line asked for, before it is checked and turned into a target. */
interface Arguments {
  ttl: number;
  jobId?: string;
  stream?: string;
  faces?: { by: "input_file" | "job_id"; value: string };
  upload?: boolean;
  demo?: boolean;
  thumbnail?: boolean;
  prefix?: string;
  maxBytes?: number;
}

/** Reads one option (and its value) at argv[i] into `args`; the index of the last argument used. */
function readOption(argv: string[], i: number, args: Arguments): number {
  const arg = argv[i]!;
  const value = argv[i + 1];
  if (arg === "--upload" || arg === "--demo" || arg === "--thumbnail") {
    args[arg === "--upload" ? "upload" : arg === "--demo" ? "demo" : "thumbnail"] = true;
    return i;
  }
  if (arg === "--ttl") {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_TTL_SECONDS) {
      fail(`--ttl must be a whole number of seconds between 1 and ${MAX_TTL_SECONDS}`);
    }
    args.ttl = Number(value);
  } else if (arg === "--stream") {
    if (value === undefined) fail("--stream needs a stream name ('*' for all streams, '' for the root)");
    args.stream = value;
  } else if (arg === "--faces" || arg === "--faces-job") {
    if (value === undefined || value === "")
      fail(`${arg} needs ${arg === "--faces" ? "an input file key" : "a job id"}`);
    args.faces = { by: arg === "--faces" ? "input_file" : "job_id", value };
  } else if (arg === "--prefix") {
    if (value === undefined || /[\s*]/.test(value)) fail("--prefix needs a key prefix (no white space or *)");
    args.prefix = value;
  } else if (arg === "--max-bytes") {
    if (value === undefined || !/^[1-9]\d{0,15}$/.test(value)) fail("--max-bytes must be a positive whole number");
    args.maxBytes = Number(value);
  } else {
    fail(`unknown option ${arg}`);
  }
  return i + 1;
}

/** Checks the arguments' values and combination; the one target they name. */
function targetOf(args: Arguments): TokenTarget {
  const { jobId, stream, faces } = args;
  const kinds = [jobId, stream, faces].filter((given) => given !== undefined).length;
  if (kinds + Number(args.upload ?? false) + Number(args.demo ?? false) !== 1) {
    fail("give one of: a job id, --stream, --faces, --faces-job, --upload, --demo");
  }
  if (!args.upload && (args.prefix !== undefined || args.maxBytes !== undefined)) {
    fail("--prefix and --max-bytes go with --upload");
  }
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
  if (args.upload) {
    return {
      kind: "upload",
      prefix: args.prefix ?? "",
      ...(args.maxBytes !== undefined ? { maxBytes: args.maxBytes } : {}),
    };
  }
  if (args.demo) return { kind: "demo" };
  if (args.thumbnail && jobId === undefined) fail("--thumbnail goes with a job id");
  if (jobId !== undefined) return { kind: args.thumbnail ? "thumbnail" : "job", jobId };
  return faces !== undefined ? { kind: "faces", ...faces } : { kind: "stream", stream: stream! };
}

/** The target and lifetime the arguments ask for, or "help". Exits with the usage on a bad one. */
function parseArguments(argv: string[]): { target: TokenTarget; ttl: number } | "help" {
  const args: Arguments = { ttl: 3600 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg.startsWith("--")) i = readOption(argv, i, args);
    else if (args.jobId === undefined) args.jobId = arg;
    else fail(`unexpected argument ${arg}`);
  }
  return { target: targetOf(args), ttl: args.ttl };
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseArguments(argv);
  if (parsed === "help") {
    console.error(USAGE);
    return;
  }
  const { target, ttl } = parsed;
  const stack = localStack(process.env);
  let token: string;
  try {
    token = await mintLocalToken(stack, target, ttl);
  } catch (error) {
    fail((error as Error).message);
  }
  process.stdout.write(`${token}\n`);
  const expires = new Date((Math.floor(Date.now() / 1000) + ttl) * 1000).toISOString();
  const signedWith = stack.tokenSecret.fromEnvironment
    ? "TOKEN_SECRET from the environment"
    : "the local default secret";
  console.error(`scope ${targetScope(target)}, expires ${expires}, signed with ${signedWith}`);
  console.error(await exampleLine(stack.endpoints.worker, target, token));
}

/** A command to try the token with, against the Worker the environment names. */
async function exampleLine(worker: string, target: TokenTarget, token: string): Promise<string> {
  if (target.kind === "faces") {
    const lookup = { by: target.by, value: target.value === "*" ? "<input_file>" : target.value };
    return `e.g. curl '${withToken(facesUrl(worker, lookup), token)}'`;
  }
  if (target.kind === "stream") {
    const start = new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return `e.g. ffplay '${withToken(recordingsUrl(worker, target.stream, start), token)}'`;
  }
  if (target.kind === "upload") {
    const body = `'{"file_name":"clip.mp4","content_type":"video/mp4","size":1234}'`;
    return (
      `e.g. curl -X POST -H 'authorization: Bearer ${token}' -H 'content-type: application/json' ` +
      `-d ${body} '${worker}/api/media/uploads'`
    );
  }
  if (target.kind === "demo") return `e.g. open '${worker}/#token=${token}'`;
  if (target.kind === "thumbnail") {
    return `e.g. curl -o poster.jpg '${withToken(`${worker}/api/media/vod/${encodeURIComponent(target.jobId)}/poster.jpg`, token)}'`;
  }
  const master = await masterPlaylist(worker, target.jobId);
  if (master !== undefined) return `e.g. ffplay '${withToken(vodUrl(worker, target.jobId, master), token)}'`;
  return (
    `The Worker at ${worker} lists no playlists for job ${target.jobId} yet (not COMPLETE, or not running).\n` +
    `Follow it with curl '${statusUrl(worker, target.jobId)}'; once it is COMPLETE, run this again for its URL.`
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
