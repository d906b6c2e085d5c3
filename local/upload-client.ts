/**
 * The uploads API from Node: the code path `npm run upload` takes (and the one a browser page takes):
 * POST /api/media/uploads, then one presigned PUT, or the parts of a multipart upload in batches of
 * presigned URLs (parts S3 already has are skipped, so an interrupted upload resumes), then complete.
 * The bytes go straight to S3; the Worker only signs. docs/api.md "Uploads".
 */
import { open, stat } from "node:fs/promises";
import { basename, extname } from "node:path";

/** Calls the Worker: `path` is the API path, e.g. /api/media/uploads. */
export type ApiFetch = (path: string, init: RequestInit) => Promise<Response>;

/** Content types of the containers the pipeline transcodes, by extension (lowercase, no dot). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  mp4: "video/mp4",
  m4v: "video/x-m4v",
  mov: "video/quicktime",
  qt: "video/quicktime",
  mkv: "video/x-matroska",
  webm: "video/webm",
  avi: "video/x-msvideo",
  ts: "video/mp2t",
  m2ts: "video/mp2t",
  mts: "video/mp2t",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
  flv: "video/x-flv",
  wmv: "video/x-ms-wmv",
  "3gp": "video/3gpp",
  mxf: "application/mxf",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
};

/** The content type for a file name; application/octet-stream (refused with 415) when unknown. */
export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).slice(1).toLowerCase()] ?? "application/octet-stream";
}

export interface UploadOptions {
  file: string;
  /** Name sent to the API (the key is made from it); default: the file's base name. */
  fileName?: string;
  contentType?: string;
  api: ApiFetch;
  /** Bearer token (upload purpose); none under UPLOAD_POLICY=public. */
  token?: string;
  /** Parts in flight at once. */
  concurrency?: number;
  /** Called after each PUT with the bytes sent so far. */
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadResult {
  inputFile: string;
  kind: "single" | "multipart";
  /** Parts uploaded by this call (multipart). */
  partsUploaded?: number;
}

/** A refused API call: status and the API's message (never a stack). */
export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "UploadError";
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers, checked where they are used
type ApiBody = Record<string, any>;

async function postJson(options: UploadOptions, path: string, body: unknown): Promise<ApiBody> {
  const response = await options.api(path, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UploadError(response.status, `POST ${path}: HTTP ${response.status}, not JSON`);
  }
  if (!response.ok) {
    throw new UploadError(response.status, `POST ${path}: HTTP ${response.status} ${String(parsed.message)}`, parsed);
  }
  return parsed;
}

async function put(url: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { method: "PUT", headers, body });
  const text = await response.text();
  if (!response.ok) throw new UploadError(response.status, `PUT to S3: HTTP ${response.status} ${text.slice(0, 200)}`);
  return response.headers.get("etag") ?? "";
}

/** Uploads one file through the API; resolves with the input_file to poll job_id with. */
export async function uploadThroughApi(options: UploadOptions): Promise<UploadResult> {
  const size = (await stat(options.file)).size;
  const fileName = options.fileName ?? basename(options.file);
  const created = await postJson(options, "/api/media/uploads", {
    file_name: fileName,
    content_type: options.contentType ?? contentTypeFor(fileName),
    size,
  });
  const inputFile = String(created.input_file);
  const upload = created.upload as ApiBody;
  const handle = await open(options.file, "r");
  try {
    if (upload.kind === "single") {
      const bytes = new Uint8Array(size);
      await handle.read(bytes, 0, size, 0);
      await put(String(upload.url), bytes, upload.headers as Record<string, string>);
      options.onProgress?.(size, size);
      return { inputFile, kind: "single" };
    }
    const ref = { input_file: inputFile, upload_id: String(upload.upload_id) };
    const partsUploaded = await uploadParts(options, handle, ref, Number(upload.part_size), size);
    return { inputFile, kind: "multipart", partsUploaded };
  } finally {
    await handle.close();
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** The parts S3 does not have yet, in batches of presigned URLs, then the completion. */
async function uploadParts(
  options: UploadOptions,
  handle: FileHandle,
  ref: { input_file: string; upload_id: string },
  partSize: number,
  size: number,
): Promise<number> {
  const partCount = Math.ceil(size / partSize);
  const listing = await postJson(options, "/api/media/uploads/parts", { ...ref, part_numbers: [] });
  const etags = new Map<number, string>(
    (listing.uploaded as Array<{ part_number: number; etag: string }>).map((part) => [part.part_number, part.etag]),
  );
  const todo = Array.from({ length: partCount }, (_, i) => i + 1).filter((number) => !etags.has(number));
  let sent = (partCount - todo.length) * partSize;
  for (let start = 0; start < todo.length; start += 100) {
    const batch = await postJson(options, "/api/media/uploads/parts", {
      ...ref,
      part_numbers: todo.slice(start, start + 100),
    });
    const queue = [...(batch.parts as Array<{ part_number: number; url: string }>)];
    const worker = async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const offset = (part.part_number - 1) * partSize;
        const bytes = new Uint8Array(Math.min(partSize, size - offset));
        await handle.read(bytes, 0, bytes.length, offset);
        etags.set(part.part_number, await put(part.url, bytes));
        sent += bytes.length;
        options.onProgress?.(Math.min(sent, size), size);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  }
  const parts = [...etags].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag }));
  await postJson(options, "/api/media/uploads/complete", { ...ref, parts });
  return todo.length;
}
