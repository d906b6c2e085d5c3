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

/**
 * The note on the tokens the page holds, or undefined when it holds none: a public stack needs none,
 * and a signed one says which it wants when it refuses a call (lacksToken).
 */
export function heldTokensNote(tokens: PageTokens): string | undefined {
  const held = [tokens.play ? "the playback token" : "", tokens.upload ? "the upload token" : ""].filter(Boolean);
  return held.length === 0 ? undefined : `This page uses ${held.join(" and ")} in its URL fragment.`;
}

/**
 * True when a call was refused (401) for want of a `kind` token the page does not hold: the stack is
 * signed and the page was opened without its tokens. A refused token the page does hold (invalid,
 * expired) is not this: the API's own message says what is wrong with it.
 */
export function lacksToken(tokens: PageTokens, kind: keyof PageTokens, status: number | undefined): boolean {
  return status === 401 && !tokens[kind];
}

/** `path` (same origin, relative) with `?token=` added when there is a token. */
export function withToken(path: string, token: string | undefined): string {
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
