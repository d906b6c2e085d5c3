/**
 * The storyboard: a WebVTT "thumbnails track" for seek previews, one cue per capture whose text is
 * the image's URL (whole images, no sprite: MediaConvert writes one JPEG per capture and the edge
 * does not compose images). video.js (videojs-vtt-thumbnails), Vidstack, Plyr and JW Player read
 * this form; a sprite form would add `#xywh=` to each URL. Pure.
 * WebVTT: https://www.w3.org/TR/webvtt1/#file-structure (cue timings `hh:mm:ss.ttt`, strictly
 * "-->" between them, cues separated by a blank line; a cue's text must not contain "-->").
 */

/** One image of the storyboard. */
export interface StoryboardCue {
  startSeconds: number;
  endSeconds: number;
  url: string;
}

/** `hh:mm:ss.ttt` (hours always written, so any length of video reads the same way). */
export function vttTimestamp(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const secs = Math.floor(ms / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(ms % 1000, 3)}`;
}

/**
 * Cues for captures taken every `intervalSeconds` from 0: capture i covers [i·interval, (i+1)·interval),
 * the last one ending at the video's end when it is known (else one interval after it starts).
 */
export function storyboardCues(
  images: ReadonlyArray<{ timeSeconds: number; url: string }>,
  intervalSeconds: number,
  durationSeconds?: number,
): StoryboardCue[] {
  return images.map((image, position) => {
    const next = images[position + 1]?.timeSeconds ?? image.timeSeconds + intervalSeconds;
    const end =
      position === images.length - 1 && durationSeconds !== undefined && durationSeconds > image.timeSeconds
        ? durationSeconds
        : next;
    return { startSeconds: image.timeSeconds, endSeconds: Math.max(end, image.timeSeconds + 0.001), url: image.url };
  });
}

/** The WebVTT file. URLs must not hold a line break or "-->" (ours are percent-encoded URLs). */
export function storyboardVtt(cues: readonly StoryboardCue[]): string {
  const blocks = cues.map((cue) => {
    if (/[\r\n]|-->/.test(cue.url)) throw new Error("a storyboard URL cannot hold a line break or -->");
    return `${vttTimestamp(cue.startSeconds)} --> ${vttTimestamp(cue.endSeconds)}\n${cue.url}`;
  });
  return ["WEBVTT", ...blocks].join("\n\n") + "\n";
}
