/** Content types the routes answer with, shared by several routes and the error renderer. */

/** The seed's JSON content type (API Gateway + Lambda@Edge answered with it; frontends may compare it). */
export const SEED_JSON_CONTENT_TYPE = "application/json; charset=UTF-8";

/** RFC 8216 §4: the media type of a playlist served over HTTP. */
export const PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl";
