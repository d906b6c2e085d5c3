/**
 * Playback tokens and URLs for the local helpers: the one place `npm run token` and `npm run upload`
 * mint tokens (with the Worker's own minting, worker/auth/tokens.ts, and the secret `npm start`
 * gives the Worker, local/defaults.ts) and spell the URLs they print.
 */
import { facesScope, jobScope, mintToken, recordingScope } from "../worker/auth/tokens.ts";
import type { LocalStack } from "./defaults.ts";

/** What a token opens: a job's playback, a recorder stream, or an upload's face results. */
export type TokenTarget =
  | { kind: "job"; jobId: string }
  | { kind: "stream"; stream: string }
  | { kind: "faces"; by: "input_file" | "job_id"; value: string };

/** The token scope of a target (worker/auth/tokens.ts): `job:<id>`, `rec:<stream>`, `faces:...`. */
export function targetScope(target: TokenTarget): string {
  if (target.kind === "job") return jobScope(target.jobId);
  if (target.kind === "stream") return recordingScope(target.stream);
  return target.value === "*" ? "faces:*" : facesScope(target);
}

/** A `play` token for the target, signed with the secret the local Worker verifies with. */
export async function mintLocalToken(
  stack: Pick<LocalStack, "tokenSecret">,
  target: TokenTarget,
  ttlSeconds: number,
): Promise<string> {
  if (stack.tokenSecret.value.length < 32) {
    throw new Error("TOKEN_SECRET must be at least 32 characters (as the Worker requires)");
  }
  return mintToken(stack.tokenSecret.value, { scope: targetScope(target), purpose: "play", ttlSeconds });
}

/** `url` with `?token=`/`&token=` appended, or unchanged without a token. */
export function withToken(url: string, token: string | undefined): string {
  return token === undefined ? url : `${url}${url.includes("?") ? "&" : "?"}token=${token}`;
}

/** The job's master playlist on the Worker (the name is the first of the status's playlist_paths). */
export function vodUrl(worker: string, jobId: string, master: string): string {
  return `${worker}/api/media/vod/${encodeURIComponent(jobId)}/${master.split("/").map(encodeURIComponent).join("/")}`;
}

/** The job's status on the Worker (public: the seed's route). */
export function statusUrl(worker: string, jobId: string): string {
  return `${worker}/api/media/status?job_id=${encodeURIComponent(jobId)}`;
}

/** An upload's (or a Rekognition job's) face results on the Worker. */
export function facesUrl(worker: string, lookup: { by: "input_file" | "job_id"; value: string }, limit = 5): string {
  return `${worker}/api/media/faces?${lookup.by}=${encodeURIComponent(lookup.value)}&limit=${limit}`;
}

/** A recorder stream's window playlist for the last `seconds` (start is an ISO time). */
export function recordingsUrl(worker: string, stream: string, start: string): string {
  const streamParameter = stream === "" || stream === "*" ? "" : `stream=${encodeURIComponent(stream)}&`;
  return `${worker}/api/media/recordings/playlist.m3u8?${streamParameter}start=${encodeURIComponent(start)}`;
}

/**
 * The master playlist name of a finished job, asked of the Worker's status route; undefined when
 * the Worker does not answer or the job has no playlists yet.
 */
export async function masterPlaylist(
  worker: string,
  jobId: string,
  fetcher: typeof fetch = fetch,
): Promise<string | undefined> {
  try {
    const response = await fetcher(statusUrl(worker, jobId), { signal: AbortSignal.timeout(3000) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as { playlist_paths?: unknown };
    const first = Array.isArray(body.playlist_paths) ? body.playlist_paths[0] : undefined;
    return typeof first === "string" ? first : undefined;
  } catch {
    return undefined;
  }
}
