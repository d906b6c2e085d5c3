/**
 * Bounds on the work one recorder-window request can cause: whatever the bucket holds, a window
 * reads a bounded number of listing pages (Workers' subrequest limit is 50 on the free plan), and
 * the configuration cannot allow windows that would need more.
 */
import { describe, expect, it } from "vitest";
import { bindings, callWith, chaosRequests } from "./support/request.ts";

const chaos = bindings.TEST_CHAOS_ENDPOINT;

describe("recorder window listing limits", () => {
  it("stops at its page budget when objects that are not segments crowd the window: 422, 3 calls for 1 h", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    const response = await callWith(
      { S3_ENDPOINT: `${chaos}/crowded/${id}`, CACHE_TTL_SECONDS: "0" },
      "/api/media/recordings/playlist.m3u8?start=2024-01-02T03:00:00Z&end=2024-01-02T04:00:00Z",
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ success: false, message: "Window holds too many objects." });
    // 120 segments fit one 124-key page; the budget adds two pages for lookback, look-ahead and strays.
    expect(await chaosRequests(`/crowded/${id}/media-recordings/`)).toBe(3);
  });

  it("ends a window whose listing body stalls with 504 (UPSTREAM_IDLE_MS), never a partial playlist", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    // S3 sends 100 bytes of a listing and stops: read whole, it must arrive within UPSTREAM_IDLE_MS.
    const response = await callWith(
      { S3_ENDPOINT: `${chaos}/stall/${id}/100`, CACHE_TTL_SECONDS: "0", UPSTREAM_IDLE_MS: "200" },
      "/api/media/recordings/playlist.m3u8?start=2024-01-02T03:00:00Z&end=2024-01-02T04:00:00Z",
    );
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ success: false, message: "Upstream timed out." });
  });

  it("refuses a configuration whose longest window would need more than 20,160 segments", async () => {
    const response = await callWith(
      { MAX_WINDOW_SECONDS: String(7 * 86_400), RECORDING_SEGMENT_SECONDS: "6" },
      "/api/media/status?job_id=x",
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ variable: "MAX_WINDOW_SECONDS" });
  });
});
