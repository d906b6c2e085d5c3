/**
 * `npm run token -- <job_id> [--ttl 3600]`
 * `npm run token -- --stream <name> [--ttl 3600]`   (a recorder stream; `--stream '*'` for all)
 * `npm run token -- --stream '' ...`                 (recordings directly under the prefix)
 * `npm run token -- --faces <input_file> ...`        (an upload's faces; `--faces '*'` for all)
 * `npm run token -- --faces-job <rekognition job id> ...`
 *
 * Mints a playback token (`pur: play`) as the customer's backend would, signed with TOKEN_SECRET
 * from the environment or the local stack's default secret. Prints the token alone on stdout (for
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
  "usage: npm run token -- <job_id> [--ttl <seconds>]",
  "       npm run token -- --stream <name|'*'|''> [--ttl <seconds>]",
  "       npm run token -- --faces <input_file|'*'> [--ttl <seconds>]",
  "       npm run token -- --faces-job <rekognition job id> [--ttl <seconds>]",
].join("\n");
const MAX_TTL_SECONDS = 31 * 86_400;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** The target and lifetime the arguments ask for, or "help". Exits with the usage on a bad one. */
function parseArguments(argv: string[]): { target: TokenTarget; ttl: number } | "help" {
  let ttl = 3600;
  let jobId: string | undefined;
  let stream: string | undefined;
  let faces: { by: "input_file" | "job_id"; value: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
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
      return "help";
    } else if (arg.startsWith("--")) {
      fail(`unknown option ${arg}`);
    } else if (jobId === undefined) {
      jobId = arg;
    } else {
      fail(`unexpected argument ${arg}`);
    }
  }
  if ([jobId, stream, faces].filter((given) => given !== undefined).length !== 1) {
    fail("give one of: a job id, --stream, --faces, --faces-job");
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

  const target: TokenTarget =
    jobId !== undefined
      ? { kind: "job", jobId }
      : faces !== undefined
        ? { kind: "faces", ...faces }
        : { kind: "stream", stream: stream! };
  return { target, ttl };
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
