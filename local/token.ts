/**
 * `npm run token -- <job_id> [--ttl 3600] [--thumbnail]`  (--thumbnail: the job's stills only)
 * `npm run token -- --stream <name> [--ttl 3600]`   (a recorder stream; `--stream '*'` for all)
 * `npm run token -- --stream '' ...`                 (recordings directly under the prefix)
 * `npm run token -- --faces <input_file> ...`        (an upload's faces; `--faces '*'` for all)
 * `npm run token -- --faces-job <rekognition job id> ...`
 *
 * Mints a playback token (`pur: play`, or `pur: thumbnail` with --thumbnail) as the customer's backend would, signed with TOKEN_SECRET
 * from the environment or the local stack's default secret. Prints the token alone on stdout (for
 * `$(npm run -s token -- ...)`), and how to use it on stderr.
 */
import { facesScope, jobScope, mintToken, recordingScope } from "../worker/auth/tokens.ts";
import { LOCAL_TOKEN_SECRET } from "./defaults.ts";

const USAGE = [
  "usage: npm run token -- <job_id> [--ttl <seconds>] [--thumbnail]",
  "       npm run token -- --stream <name|'*'|''> [--ttl <seconds>]",
  "       npm run token -- --faces <input_file|'*'> [--ttl <seconds>]",
  "       npm run token -- --faces-job <rekognition job id> [--ttl <seconds>]",
].join("\n");
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
  let thumbnail = false;
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
    } else if (arg === "--thumbnail") {
      thumbnail = true;
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
  if ([jobId, stream, faces].filter((given) => given !== undefined).length !== 1) {
    fail("give one of: a job id, --stream, --faces, --faces-job");
  }
  if (faces?.by === "job_id" && faces.value !== "*" && !/^[a-zA-Z0-9_-]{1,64}$/.test(faces.value)) {
    fail(`not a Rekognition job id: ${faces.value}`);
  }
  if (jobId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(jobId)) fail(`not a job id: ${jobId}`);
  if (thumbnail && jobId === undefined) fail("--thumbnail goes with a job id");
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
  const scope =
    jobId !== undefined
      ? jobScope(jobId)
      : faces !== undefined
        ? faces.value === "*"
          ? "faces:*"
          : facesScope(faces)
        : recordingScope(stream!);
  const token = await mintToken(secret, { scope, purpose: thumbnail ? "thumbnail" : "play", ttlSeconds: ttl });

  process.stdout.write(`${token}\n`);
  const expires = new Date((Math.floor(Date.now() / 1000) + ttl) * 1000).toISOString();
  console.error(
    `scope ${scope}, expires ${expires}, signed with ${fromEnvironment ? "TOKEN_SECRET from the environment" : "the local default secret"}\n` +
      (jobId !== undefined && thumbnail
        ? `e.g. curl -o poster.jpg "http://127.0.0.1:8787/api/media/vod/${jobId}/poster.jpg?token=${token}"`
        : jobId !== undefined
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
