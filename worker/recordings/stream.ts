/** Where a recorder stream's segments are in the recordings bucket (read by the playlist and segment routes). */
import { folderPrefix, type Config } from "../config.ts";

/** The stream's key prefix: `<RECORDINGS_PREFIX>/[<stream>/]`. */
export function streamKeyPrefix(config: Config, stream: string): string {
  return folderPrefix(config.recordings.prefix) + folderPrefix(stream);
}
