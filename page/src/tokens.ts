/**
 * The page's tokens come in the URL fragment (`#token=<play token>&upload_token=<upload token>`):
 * browsers never send a fragment to any server (RFC 3986 §3.5), not even in Referer, so the tokens
 * reach only the requests this page makes to its own origin.
 */
export interface PageTokens {
  /** Playback token (`pur: play`): VOD playlists, recorder windows, faces. */
  play?: string;
  /** Upload token (`pur: upload`) for POST /api/media/uploads*. */
  upload?: string;
}

/** The tokens in a location hash (`#token=...&upload_token=...`); blank values count as absent. */
export function readTokens(hash: string): PageTokens {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const play = params.get("token")?.trim();
  const upload = params.get("upload_token")?.trim();
  return { ...(play ? { play } : {}), ...(upload ? { upload } : {}) };
}

/** `path` (same origin, relative) with `?token=` added when there is a token. */
export function withToken(path: string, token: string | undefined): string {
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
