/**
 * Instructions per recorder window playlist in workerd, counted by callgrind: deterministic where
 * timed CPU on a shared machine is not (issue 12; bench/support/callgrind.ts). The deploy bundle serves the last `seconds` of
 * the bench's indexed 7-day archive (bench/hls.ts: the same fake S3, index objects and URL) under
 * `valgrind --tool=callgrind`; after `warm` requests (JIT tiers up), the counters are zeroed, `n1`
 * requests run and are dumped, then the same for `n2`; the figure is (I(n2) - I(n1)) / (n2 - n1),
 * so start-up and anything per batch cancel out. Main thread (the isolate's) and all threads.
 * V8's tiering depends on background compile timing, so runs of the same code differ by up to
 * ~15%: compare medians of several runs.
 *
 *   npx tsx bench/callgrind/window.ts [seconds=604800] [warm=30] [n1=10] [n2=30]
 */
import { ARCHIVE_END, archive, dayIndexes, startFakeAws, windowBenchVars } from "../hls.ts";
import { callgrindSession, type Instructions } from "../support/callgrind.ts";
import { startConfigInWorkerd } from "../support/workerd.ts";

const [seconds, warm, n1, n2] = [604_800, 30, 10, 30].map((value, i) => Number(process.argv[2 + i] ?? value)) as [
  number,
  number,
  number,
  number,
];

const keys = archive("week", 7);
const fake = await startFakeAws(keys, dayIndexes(keys, "movie/week/"));
const callgrind = callgrindSession();
const worker = await startConfigInWorkerd("wrangler.toml", {
  vars: windowBenchVars(fake.url, "on"),
  readyPath: "/api/media/status",
  wrapper: callgrind.wrapper,
});
const url = `${worker.url}/api/media/recordings/playlist.m3u8?stream=week&start=${ARCHIVE_END - seconds}&end=${ARCHIVE_END}`;
let bytes = 0;
const requests = async (count: number) => {
  for (let i = 0; i < count; i++) {
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${Buffer.from(body)}`);
    bytes = body.byteLength;
  }
};
/** Instructions over `count` requests: zeroed before, dumped after. */
const batch = async (count: number): Promise<Instructions> => {
  callgrind.zero(worker.pid);
  await requests(count);
  return callgrind.dump(worker.pid);
};
try {
  await requests(warm);
  const first = await batch(n1);
  const second = await batch(n2);
  const per = (key: "main" | "all") => ((second[key] - first[key]) / (n2 - n1) / 1e6).toFixed(2);
  console.log(
    `${seconds} s window (${bytes} bytes): ${per("main")} M instructions per request on the main thread, ${per("all")} M on all threads`,
  );
} finally {
  await worker.stop();
  await fake.stop();
  callgrind.dispose();
}
