/**
 * Calls to the Worker's API on the page's own origin (relative URLs only: tokens never leave it).
 * Errors carry the status and the API's JSON `message`, which the page shows as it is.
 */

/** A refused or failed API call: the HTTP status and the API's message. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}

/** The `message` of a JSON error body, else a generic text naming the status. */
export function problemMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string" && body.message !== "") return body.message;
  } catch {
    // not JSON (a proxy's HTML page, an empty body): fall through
  }
  return status === 0 ? "The server could not be reached." : `The server answered ${status}.`;
}

export interface ApiRequest {
  method?: "GET" | "POST";
  body?: unknown;
  /** Sent as `Authorization: Bearer` (never in the URL of a POST). */
  token?: string;
}

/** Fetches `path` on this origin and returns its JSON body, or throws an ApiProblem. */
export async function apiJson<T>(path: string, request: ApiRequest = {}): Promise<T> {
  if (!path.startsWith("/")) throw new Error(`API paths are relative to this origin: ${path}`);
  const headers: Record<string, string> = {};
  if (request.body !== undefined) headers["content-type"] = "application/json";
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: request.method ?? (request.body === undefined ? "GET" : "POST"),
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiProblem(0, problemMessage(0, ""));
  }
  const text = await response.text();
  if (!response.ok) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // keep {}
    }
    throw new ApiProblem(response.status, problemMessage(response.status, text), body);
  }
  return JSON.parse(text) as T;
}
