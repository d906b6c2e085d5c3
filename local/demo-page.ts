/**
 * The demo page's address for `npm start`: the Worker's `/`, with the tokens the page needs in the
 * URL fragment when the stack runs signed (`#token=<play token>&upload_token=<upload token>`).
 * Fragments never leave the browser, so the tokens reach only the page's own calls to its origin.
 */
import { mintToken } from "../worker/auth/tokens.ts";
import { DEMO_SCOPE } from "./playback.ts";
/** How long the printed tokens last: a working day of demoing. */
export const DEMO_TOKEN_TTL_SECONDS = 12 * 3600;

/** The page URL for a Worker run with `vars`, or undefined when DEMO_PAGE is off. */
export async function demoPageUrl(
  workerUrl: string,
  vars: Record<string, string | undefined>,
): Promise<string | undefined> {
  if ((vars.DEMO_PAGE ?? "on").trim() === "off") return undefined;
  const secret = vars.TOKEN_SECRET?.trim();
  const playback = (vars.PLAYBACK_POLICY ?? "public").trim();
  const faces = (vars.FACES_POLICY ?? playback).trim();
  const fragment = new URLSearchParams();
  if (secret && (playback === "signed" || faces === "signed")) {
    fragment.set(
      "token",
      await mintToken(secret, { scope: DEMO_SCOPE, purpose: "play", ttlSeconds: DEMO_TOKEN_TTL_SECONDS }),
    );
  }
  if (secret && (vars.UPLOAD_POLICY ?? "signed").trim() === "signed") {
    fragment.set(
      "upload_token",
      await mintToken(secret, { scope: "upload:*", purpose: "upload", ttlSeconds: DEMO_TOKEN_TTL_SECONDS }),
    );
  }
  const hash = fragment.toString();
  return `${workerUrl}/${hash ? `#${hash}` : ""}`;
}

/** The origins a browser may show the local Worker's page from (127.0.0.1 and localhost). */
export function pageOrigins(workerUrl: string): string[] {
  const url = new URL(workerUrl);
  return [url.origin, `${url.protocol}//localhost:${url.port}`];
}
