/**
 * The demo page: wires the DOM to the upload client, the job follower, the player, the faces list
 * and the recorder-window picker. Everything it calls is on this origin; tokens come from the URL
 * fragment and are never logged or sent anywhere else.
 */
import { ApiProblem, apiJson } from "./api.ts";
import { FACES_TERMINAL, faceMoments, facesPath, type FaceResult } from "./faces.ts";
import { formatBytes, formatClock, formatRate, uploadRate, type RateSample } from "./format.ts";
import { followJob, jobFailure, masterPlaylistPath } from "./job.ts";
import { play, type Player } from "./player.ts";
import { windowUrl } from "./recordings.ts";
import { heldTokensNote, lacksToken, readTokens, withToken, type PageTokens } from "./tokens.ts";
import { isRefusal, uploadFile, type UploadProgress } from "./upload.ts";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  tokenNote: element<HTMLParagraphElement>("token-note"),
  dropZone: element<HTMLDivElement>("drop-zone"),
  fileInput: element<HTMLInputElement>("file-input"),
  uploadProgress: element<HTMLProgressElement>("upload-progress"),
  uploadStatus: element<HTMLParagraphElement>("upload-status"),
  jobProgress: element<HTMLProgressElement>("job-progress"),
  jobStatus: element<HTMLParagraphElement>("job-status"),
  openForm: element<HTMLFormElement>("open-form"),
  openInput: element<HTMLInputElement>("open-input"),
  video: element<HTMLVideoElement>("video"),
  playerStatus: element<HTMLParagraphElement>("player-status"),
  facesStatus: element<HTMLParagraphElement>("faces-status"),
  facesList: element<HTMLUListElement>("faces-list"),
  windowForm: element<HTMLFormElement>("window-form"),
};

let tokens = readTokens(location.hash);
let player: Player | undefined;
/** Increases with every new upload or opened job, so a stale poll stops touching the page. */
let generation = 0;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function show(target: HTMLElement, text: string, state = "ok", detail?: string): void {
  target.textContent = text;
  target.dataset.state = state;
  if (detail) target.dataset.error = detail;
  else delete target.dataset.error;
}

/** `value` as an attribute, so assistive technology and observers see each step. */
function setProgress(bar: HTMLProgressElement, value: number): void {
  bar.setAttribute("value", String(value));
}

/** Names the tokens the page holds; says nothing when it holds none, which is all a public stack needs. */
function describeTokens(): void {
  const note = heldTokensNote(tokens);
  ui.tokenNote.textContent = note ?? "";
  ui.tokenNote.hidden = note === undefined;
}

/**
 * Once the stack has refused a call for want of a token the page lacks (so it is signed), says where
 * the page's tokens come from. Only then: under public playback and uploads the page needs none.
 */
function explainMissingToken(kind: keyof PageTokens, status: number | undefined): void {
  if (!lacksToken(tokens, kind, status)) return;
  const command = document.createElement("code");
  command.textContent = "npm start";
  ui.tokenNote.replaceChildren(
    `The API asks for ${kind === "play" ? "a playback" : "an upload"} token, and this page has none. Locally, `,
    command,
    " prints the page's URL with the tokens it needs (#token=...&upload_token=...).",
  );
  ui.tokenNote.hidden = false;
}

function playSource(src: string, label: string): void {
  player?.destroy();
  show(ui.playerStatus, `Loading ${label}...`, "loading");
  player = play(ui.video, src, {
    onPlaying: () => show(ui.playerStatus, `Playing ${label}.`, "playing"),
    onFailure: (failure) => {
      show(ui.playerStatus, failure.message, "error", failure.kind);
      if (failure.kind === "refused") explainMissingToken("play", failure.status);
    },
  });
}

function uploadLine(progress: UploadProgress, rate: number | undefined): string {
  const parts = progress.kind === "multipart" ? ` · part ${progress.partsDone} of ${progress.partCount} done` : "";
  const speed = rate === undefined ? "" : ` · ${formatRate(rate)}`;
  return `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}${speed}${parts}`;
}

/** PUTs bytes to a presigned URL with XHR (fetch cannot report upload progress). */
function putWithProgress(
  url: string,
  body: Blob,
  headers: Record<string, string>,
  onLoaded: (loaded: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    // The browser sets Content-Length itself (a forbidden header name for scripts).
    for (const [name, value] of Object.entries(headers)) {
      if (!/^(content-length|host)$/i.test(name)) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onLoaded(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.getResponseHeader("etag") ?? "");
      const reason = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1] ?? `status ${xhr.status}`;
      reject(new ApiProblem(xhr.status, `The storage refused the upload: ${reason}`));
    };
    xhr.onerror = () => reject(new ApiProblem(0, "The upload could not reach the storage."));
    xhr.send(body);
  });
}

async function startUpload(file: File): Promise<void> {
  const mine = ++generation;
  setProgress(ui.uploadProgress, 0);
  show(ui.uploadStatus, `Uploading ${file.name} (${formatBytes(file.size)})...`, "uploading");
  const samples: RateSample[] = [];
  const started = performance.now();
  let inputFile: string;
  try {
    inputFile = await uploadFile(
      file,
      {
        post: (path, body) => apiJson(path, { body, token: tokens.upload }),
        put: putWithProgress,
        store: localStorage,
      },
      (progress) => {
        samples.push({ at: performance.now(), loaded: progress.loaded });
        if (samples.length > 200) samples.splice(0, 100);
        setProgress(ui.uploadProgress, progress.total === 0 ? 1 : progress.loaded / progress.total);
        show(ui.uploadStatus, uploadLine(progress, uploadRate(samples)), "uploading");
      },
    );
  } catch (error) {
    const problem = error instanceof ApiProblem ? error : new ApiProblem(0, String(error));
    const text = isRefusal(problem)
      ? `Upload refused (${problem.status}): ${problem.message}`
      : `Upload failed: ${problem.message}`;
    show(ui.uploadStatus, text, "error", isRefusal(problem) ? "refused" : "failed");
    explainMissingToken("upload", problem.status);
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  setProgress(ui.uploadProgress, 1);
  show(
    ui.uploadStatus,
    `Uploaded ${formatBytes(file.size)} in ${seconds.toFixed(1)} s (${formatRate(file.size / Math.max(seconds, 0.001))}) as ${inputFile}.`,
    "done",
  );
  if (mine === generation) await followAndPlay(inputFile, mine);
}

async function followAndPlay(inputFile: string, mine: number): Promise<void> {
  setProgress(ui.jobProgress, 0);
  show(ui.jobStatus, `Waiting for the transcoding job of ${inputFile}...`, "waiting");
  let result: Awaited<ReturnType<typeof followJob>>;
  try {
    result = await followJob(inputFile, {
      getJson: (path) => apiJson(path),
      wait: async (ms) => {
        await wait(ms);
        if (mine !== generation) throw new ApiProblem(0, "Superseded by another upload.");
      },
      onJob: (jobId) => show(ui.jobStatus, `Job ${jobId} submitted.`, "waiting"),
      onStatus: (status) => {
        setProgress(ui.jobProgress, status.progress_rate ?? 0);
        show(ui.jobStatus, `${status.job_status} ${status.progress_rate ?? 0}%`, "waiting");
      },
    });
  } catch (error) {
    if (mine !== generation) return;
    const message = error instanceof ApiProblem ? error.message : String(error);
    show(ui.jobStatus, `Could not follow the job: ${message}`, "error", "lookup");
    return;
  }
  const { jobId, status } = result;
  if (status.job_status !== "COMPLETE") {
    show(ui.jobStatus, `Transcoding failed (job ${jobId}): ${jobFailure(status)}`, "error", "job");
    return;
  }
  show(ui.jobStatus, `Job ${jobId} is COMPLETE.`, "done");
  const master = masterPlaylistPath(jobId, status);
  if (!master) return show(ui.playerStatus, "The job lists no playlist.", "error", "missing");
  playSource(withToken(master, tokens.play), `job ${jobId}`);
  void loadFaces(inputFile, mine);
}

async function fetchFaces(inputFile: string, mine: number): Promise<FaceResult | undefined> {
  for (let poll = 0; poll < 600 && mine === generation; poll++) {
    try {
      const result = await apiJson<FaceResult>(facesPath(inputFile), { token: tokens.play });
      if (FACES_TERMINAL.includes(result.analysis_status)) return result;
      show(ui.facesStatus, `Face detection: ${result.analysis_status}...`, "waiting");
    } catch (error) {
      // 422 "Not found item.": faces-start has not recorded the analysis yet.
      if (!(error instanceof ApiProblem && error.status === 422)) throw error;
    }
    await wait(2000);
  }
  return undefined;
}

async function loadFaces(inputFile: string, mine: number): Promise<void> {
  ui.facesList.replaceChildren();
  show(ui.facesStatus, "Face detection: waiting...", "waiting");
  let result: FaceResult | undefined;
  try {
    result = await fetchFaces(inputFile, mine);
    const faces = [...(result?.faces ?? [])];
    for (let page = 1, cursor = result?.next_cursor; cursor && page < 10; page++) {
      const next = await apiJson<FaceResult>(facesPath(inputFile, cursor), { token: tokens.play });
      faces.push(...(next.faces ?? []));
      cursor = next.next_cursor;
    }
    if (result) result.faces = faces;
  } catch (error) {
    const problem = error instanceof ApiProblem ? error : new ApiProblem(0, String(error));
    explainMissingToken("play", problem.status);
    return show(ui.facesStatus, `Faces unavailable (${problem.status}): ${problem.message}`, "error", "refused");
  }
  if (!result || mine !== generation) return;
  if (result.analysis_status !== "SUCCEEDED") {
    return show(ui.facesStatus, `Face detection ${result.analysis_status}: ${result.status_message ?? ""}`, "error");
  }
  renderFaces(result);
}

function renderFaces(result: FaceResult): void {
  const moments = faceMoments(result.faces ?? []);
  show(
    ui.facesStatus,
    `${result.face_count ?? moments.length} faces at ${moments.length} moments. Choose one to seek.`,
    "done",
  );
  ui.facesList.replaceChildren(
    ...moments.map(({ ms, count }) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${formatClock(ms)} (${count})`;
      button.dataset.ms = String(ms);
      button.setAttribute("aria-label", `Seek to ${formatClock(ms)}, ${count} face${count === 1 ? "" : "s"}`);
      button.addEventListener("click", () => {
        ui.video.currentTime = ms / 1000;
        void ui.video.play().catch(() => undefined);
      });
      item.append(button);
      return item;
    }),
  );
}

function wire(): void {
  describeTokens();
  addEventListener("hashchange", () => {
    tokens = readTokens(location.hash);
    describeTokens();
  });
  ui.fileInput.addEventListener("change", () => {
    const file = ui.fileInput.files?.[0];
    if (file) void startUpload(file);
  });
  ui.dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    ui.dropZone.classList.add("dragging");
  });
  ui.dropZone.addEventListener("dragleave", () => ui.dropZone.classList.remove("dragging"));
  ui.dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    ui.dropZone.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (file) void startUpload(file);
  });
  ui.openForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const inputFile = ui.openInput.value.trim();
    if (inputFile) void followAndPlay(inputFile, ++generation);
  });
  wireWindowForm();
}

function wireWindowForm(): void {
  const form = ui.windowForm;
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  field("live").addEventListener("change", () => (field("end").disabled = field("live").checked));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = {
      stream: field("stream").value,
      start: field("start").value,
      end: field("end").value,
      live: field("live").checked,
    };
    const target = windowUrl(choice, tokens.play);
    if ("problem" in target) return show(ui.playerStatus, target.problem, "error", "input");
    generation++;
    playSource(target.url, `the ${choice.live ? "live " : ""}window of ${choice.stream.trim() || "the root stream"}`);
  });
}

wire();
