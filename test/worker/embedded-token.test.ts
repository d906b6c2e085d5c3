/**
 * The tokens a playlist embeds (worker/auth/playback.ts embeddedToken): one per step, so every
 * playlist a player fetches within a step carries the same key URI. Here rather than in test/unit:
 * the module's request helpers are typed with the Worker's bindings (worker/env.ts).
 */
import { describe, expect, it } from "vitest";
import { embeddedToken, embeddedTokenStep } from "../../worker/auth/playback.ts";
import { configWith } from "../support/worker-config.ts";

describe("embeddedToken", () => {
  const config = configWith({ KEY_TOKEN_TTL_SECONDS: "300" });
  const claimsOf = (token: string) =>
    JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { iat: number; exp: number };

  it("gives the playlists a player fetches within one step the same token, so one key URI per job", async () => {
    expect(embeddedTokenStep(config)).toBe(60);
    const at = (now: number) => embeddedToken(config, "job:J1", "key", 300, now);
    // 1_800_000_000 is a multiple of 60: the step starts there.
    const first = await at(1_800_000_000);
    expect(await at(1_800_000_059)).toBe(first);
    expect(await at(1_800_000_060)).not.toBe(first);
  });

  it("lives at least the asked lifetime from now, and at most a step more", async () => {
    for (const now of [1_800_000_000, 1_800_000_001, 1_800_000_059]) {
      const { iat, exp } = claimsOf(await embeddedToken(config, "job:J1", "media", 300.5, now));
      expect(iat).toBeLessThanOrEqual(now);
      expect(exp).toBeGreaterThanOrEqual(now + 301);
      expect(exp - now).toBeLessThanOrEqual(301 + 60);
    }
  });

  it("steps by a quarter of a short key token lifetime", () => {
    const short = configWith({ KEY_TOKEN_TTL_SECONDS: "30" });
    expect(embeddedTokenStep(short)).toBe(7);
    const medium = configWith({ KEY_TOKEN_TTL_SECONDS: "100" });
    expect(embeddedTokenStep(medium)).toBe(25);
  });
});
