/**
 * S3 key helpers shared by the functions that react to uploads (submit-job, faces-start) and the one
 * that reads MediaConvert's output (job-state). Pure.
 */

/**
 * A key inside an output folder of this pipeline (submit-job's `outputPathFor`:
 * `<input key>_<yyyymmddHHMMSS>/`).
 */
export const OUTPUT_FOLDER_PATTERN = /_\d{14}\//;

/** Last path segment of a key (Python's `os.path.basename`). */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/**
 * Python's `os.path.splitext` on a file name, which the seed used: the extension starts at the last
 * dot unless everything before it is dots (".hidden" has no extension).
 */
export function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || /^\.+$/.test(name.slice(0, dot))) return [name, ""];
  return [name.slice(0, dot), name.slice(dot)];
}

/**
 * Whether `object` is MediaConvert output of this pipeline: in `outputBucket` and inside an output
 * folder. With one bucket for input and output, such keys must never be treated as uploads.
 */
export function isMediaConvertOutput(
  object: { bucket: string; key: string },
  outputBucket: string | undefined,
): boolean {
  return object.bucket === outputBucket && OUTPUT_FOLDER_PATTERN.test(object.key);
}
