/**
 * Building blocks of the API reference's paths (openapi/document.ts and the modules it assembles).
 */
import { ref, type Json } from "./components.ts";

export const API_PREFIX = "/api/media";

/** Parameters: `in` query unless named in the path. */
export function param(name: string, description: string, schema: Json = { type: "string" }, required = false): Json {
  return { name, in: "query", description, required, schema };
}
export function pathParam(name: string, description: string, pattern?: string): Json {
  return { name, in: "path", required: true, description, schema: { type: "string", ...(pattern ? { pattern } : {}) } };
}

export const JOB_ID = pathParam("jobId", "A MediaConvert job id (letters, digits, `-`, `_`).");
export const SECONDS = { type: "string", pattern: "^\\d{1,9}(\\.\\d{1,6})?$" };

/** Security alternatives: `optional` (PLAYBACK_POLICY=public needs none) or always required. */
export const TOKENS_OPTIONAL = [{}, { bearerToken: [] }, { queryToken: [] }];
export const TOKENS_REQUIRED = [{ bearerToken: [] }, { queryToken: [] }];

export type Responses = Record<string, Json>;

/** An operation with the responses every route shares: origin refused, configuration, and (`aws`) upstream failures. */
export function operation(fields: Json & { responses: Responses }, aws = true): Json {
  const shared: Responses = {
    "422": ref("responses", "OriginRefused"),
    "500": ref("responses", "InternalError"),
    ...(aws
      ? {
          "502": ref("responses", "BadGateway"),
          "503": ref("responses", "ServiceBusy"),
          "504": ref("responses", "GatewayTimeout"),
        }
      : {}),
  };
  return { ...fields, responses: { ...shared, ...fields.responses } };
}

/** A path item: its operations, the CORS preflight, and the Hono route that serves it. */
export function pathItem(honoPath: string, operations: Json): Json {
  const preflight = {
    summary: "CORS preflight",
    tags: ["CORS"],
    responses: { "204": ref("responses", "Preflight"), "422": ref("responses", "OriginRefused") },
  };
  return { "x-hono-path": honoPath, ...operations, options: preflight };
}

export const text = (mediaType: string, description: string, format?: string): Json => ({
  description,
  content: { [mediaType]: { schema: { type: "string", ...(format ? { format } : {}) } } },
});
