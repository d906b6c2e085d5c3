/**
 * Where the API reference lives in the static assets, shared by openapi/build.ts (writes them) and
 * worker/routes/reference.ts (serves them).
 */

/** The reference page's files besides index.html, served at /api/media/docs/<file>. */
export const DOC_PAGE_FILES = ["init.js", "swagger-ui-bundle.js", "swagger-ui.css"] as const;
