/**
 * The browser side of the uploads API (POST /api/media/uploads, /parts, /complete, /abort): create
 * the upload, PUT the file or each part straight to S3 through presigned URLs, complete it. The
 * network is injected (`UploadDeps`), so this module is plain logic the page wires to fetch/XHR.
 *
 * Multipart: parts are presigned in batches of at most 100 (the API's limit) and sent a few at a
 * time; each part's ETag comes from the PUT's `ETag` response header (the bucket's CORS exposes it).
 * A reload resumes: the upload id is remembered per file (name, size, mtime), the API lists the
 * parts S3 already holds, and those are skipped. S3 limits: 5 MiB-5 GiB parts, 10,000 parts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { ApiProblem } from "./api.ts";

export interface SingleUpload {
  kind: "single";
  method: "PUT";
  url: string;
  headers: Record<string, string>;
}

export interface MultipartUpload {
  kind: "multipart";
  upload_id: string;
  part_size: number;
  part_count: number;
}

export interface CreatedUpload {
  input_file: string;
  expires_at: string;
  upload: SingleUpload | MultipartUpload;
}

export interface PresignedParts {
  parts: Array<{ part_number: number; method: "PUT"; url: string; headers?: Record<string, string> }>;
  uploaded: Array<{ part_number: number; etag: string; size: number }>;
}

export interface CompletedUpload {
  input_file: string;
  status_url: string;
}

/** What the page shows while bytes move. */
export interface UploadProgress {
  kind: "single" | "multipart";
  loaded: number;
  total: number;
  partsDone: number;
  partCount: number;
}

/** The file being sent: a browser File, or anything with the same few members. */
export interface UploadSource {
  name: string;
  type: string;
  size: number;
  lastModified: number;
  slice(start: number, end: number): Blob;
}

export interface UploadDeps {
  /** POST a JSON body to an uploads route on this origin; throws ApiProblem on refusal. */
  post<T>(path: string, body: unknown): Promise<T>;
  /** PUT bytes to a presigned URL, reporting bytes sent; resolves with the ETag response header. */
  put(url: string, body: Blob, headers: Record<string, string>, onLoaded: (loaded: number) => void): Promise<string>;
  /** Where unfinished multipart uploads are remembered (localStorage in the page). */
  store?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Parts sent at once. */
  concurrency?: number;
}

/** The API's limit on part numbers per /parts call. */
export const PART_BATCH = 100;
const STORE_PREFIX = "media-edge.upload:";

interface Remembered {
  input_file: string;
  upload_id: string;
  part_size: number;
  part_count: number;
}

/** The key an unfinished upload of this file is remembered under. */
export function fingerprint(file: UploadSource): string {
  return `${STORE_PREFIX}${file.name}:${file.size}:${file.lastModified}`;
}

/** Part numbers 1..count split into batches of `size`. */
export function partBatches(count: number, size = PART_BATCH): number[][] {
  const batches: number[][] = [];
  for (let first = 1; first <= count; first += size) {
    batches.push(Array.from({ length: Math.min(size, count - first + 1) }, (_, i) => first + i));
  }
  return batches;
}

/** Byte range [start, end) of part `n` (1-based). */
export function partRange(n: number, partSize: number, total: number): [number, number] {
  return [(n - 1) * partSize, Math.min(n * partSize, total)];
}

/** Uploads `file`; resolves with the `input_file` to follow the job by. */
export async function uploadFile(
  file: UploadSource,
  deps: UploadDeps,
  onProgress: (progress: UploadProgress) => void,
): Promise<string> {
  const resumed = await resumeRemembered(file, deps);
  if (resumed) return uploadParts(file, resumed.upload, resumed.done, deps, onProgress);
  const created = await deps.post<CreatedUpload>("/api/media/uploads", {
    file_name: file.name,
    content_type: file.type,
    size: file.size,
  });
  if (created.upload.kind === "single") {
    const report = (loaded: number) =>
      onProgress({ kind: "single", loaded, total: file.size, partsDone: 0, partCount: 1 });
    report(0);
    await deps.put(created.upload.url, file.slice(0, file.size), created.upload.headers, report);
    onProgress({ kind: "single", loaded: file.size, total: file.size, partsDone: 1, partCount: 1 });
    return created.input_file;
  }
  const remembered: Remembered = { input_file: created.input_file, ...created.upload };
  deps.store?.setItem(fingerprint(file), JSON.stringify(remembered));
  return uploadParts(file, remembered, new Map(), deps, onProgress);
}

/** A remembered upload of this file that S3 still has, with the parts already there. */
async function resumeRemembered(
  file: UploadSource,
  deps: UploadDeps,
): Promise<{ upload: Remembered; done: Map<number, string> } | undefined> {
  const raw = deps.store?.getItem(fingerprint(file));
  if (!raw) return undefined;
  try {
    const upload = JSON.parse(raw) as Remembered;
    const listed = await deps.post<PresignedParts>("/api/media/uploads/parts", {
      input_file: upload.input_file,
      upload_id: upload.upload_id,
      part_numbers: [],
    });
    const done = new Map<number, string>();
    for (const part of listed.uploaded) {
      const [start, end] = partRange(part.part_number, upload.part_size, file.size);
      if (part.size === end - start) done.set(part.part_number, part.etag);
    }
    return { upload, done };
  } catch {
    // Expired, aborted or completed meanwhile: start again.
    deps.store?.removeItem(fingerprint(file));
    return undefined;
  }
}

async function uploadParts(
  file: UploadSource,
  upload: Remembered,
  done: Map<number, string>,
  deps: UploadDeps,
  onProgress: (progress: UploadProgress) => void,
): Promise<string> {
  const { input_file, upload_id, part_size, part_count } = upload;
  const inFlight = new Map<number, number>();
  const doneBytes = () =>
    [...done.keys()].reduce((sum, n) => sum + partRange(n, part_size, file.size).reduce((a, b) => b - a), 0);
  const report = () => {
    const loaded = doneBytes() + [...inFlight.values()].reduce((a, b) => a + b, 0);
    onProgress({ kind: "multipart", loaded, total: file.size, partsDone: done.size, partCount: part_count });
  };
  report();
  for (const batch of partBatches(part_count)) {
    const missing = batch.filter((n) => !done.has(n));
    if (missing.length === 0) continue;
    const { parts } = await deps.post<PresignedParts>("/api/media/uploads/parts", {
      input_file,
      upload_id,
      part_numbers: missing,
    });
    const queue = [...parts];
    const sendNext = async (): Promise<void> => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const [start, end] = partRange(part.part_number, part_size, file.size);
        const n = part.part_number;
        inFlight.set(n, 0);
        const etag = await deps.put(part.url, file.slice(start, end), part.headers ?? {}, (loaded) => {
          inFlight.set(n, loaded);
          report();
        });
        inFlight.delete(n);
        done.set(n, etag);
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 3, queue.length) }, sendNext));
  }
  const completed = await deps.post<CompletedUpload>("/api/media/uploads/complete", {
    input_file,
    upload_id,
    parts: [...done.entries()].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag })),
  });
  deps.store?.removeItem(fingerprint(file));
  return completed.input_file;
}

/** Whether an upload failure is the API refusing the file (shown with its reason), not the network. */
export function isRefusal(error: unknown): boolean {
  return error instanceof ApiProblem && error.status >= 400 && error.status < 500;
}
