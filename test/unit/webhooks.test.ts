import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookSecretBytes,
} from "../../model/webhooks.ts";

const NOW = 1_796_000_000; // fixed Unix seconds: no test reads the clock
const CURRENT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PREVIOUS = "whsec_" + btoa("previous-secret-of-32-bytes-long");
const BODY = JSON.stringify({ id: "msg_1", type: "job.complete", data: { jobId: "1-abc", progress: 100 } });

async function delivery(body = BODY, secrets = [CURRENT], timestamp = NOW, id = "msg_1") {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signWebhook(id, timestamp, body, secrets),
  };
}

describe("verifyWebhook", () => {
  it("accepts a signed delivery, with plain-object headers in any case or a Headers object", async () => {
    const headers = await delivery();
    expect(await verifyWebhook(BODY, headers, CURRENT, 300, NOW)).toEqual({ ok: true, id: "msg_1", timestamp: NOW });
    const upper = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect((await verifyWebhook(BODY, upper, CURRENT, 300, NOW)).ok).toBe(true);
    expect((await verifyWebhook(new TextEncoder().encode(BODY), new Headers(headers), CURRENT, 300, NOW)).ok).toBe(
      true,
    );
  });

  it("refuses a replay: a timestamp older (or newer) than the tolerance", async () => {
    const headers = await delivery(BODY, [CURRENT], NOW - 301);
    expect(await verifyWebhook(BODY, headers, CURRENT, 300, NOW)).toEqual({
      ok: false,
      reason: expect.stringMatching(/tolerance/),
    });
    const future = await delivery(BODY, [CURRENT], NOW + 301);
    expect((await verifyWebhook(BODY, future, CURRENT, 300, NOW)).ok).toBe(false);
  });

  it("accepts clock skew inside the tolerance, both ways, up to its edge", async () => {
    for (const skew of [-DEFAULT_TOLERANCE_SECONDS, -30, 30, DEFAULT_TOLERANCE_SECONDS]) {
      const headers = await delivery(BODY, [CURRENT], NOW + skew);
      expect((await verifyWebhook(BODY, headers, CURRENT, DEFAULT_TOLERANCE_SECONDS, NOW)).ok).toBe(true);
    }
  });

  it("refuses tampering with the body, the id or the timestamp", async () => {
    const headers = await delivery();
    const tampered = BODY.replace('"progress":100', '"progress":99');
    expect((await verifyWebhook(tampered, headers, CURRENT, 300, NOW)).ok).toBe(false);
    expect((await verifyWebhook(BODY + " ", headers, CURRENT, 300, NOW)).ok).toBe(false);
    expect((await verifyWebhook(BODY, { ...headers, "webhook-id": "msg_2" }, CURRENT, 300, NOW)).ok).toBe(false);
    const moved = { ...headers, "webhook-timestamp": String(NOW - 1) };
    expect(await verifyWebhook(BODY, moved, CURRENT, 300, NOW)).toEqual({ ok: false, reason: "no signature matches" });
  });

  it("refuses a wrong secret, missing headers and malformed values", async () => {
    const headers = await delivery();
    expect((await verifyWebhook(BODY, headers, PREVIOUS, 300, NOW)).ok).toBe(false);
    expect((await verifyWebhook(BODY, { "webhook-id": "msg_1" }, CURRENT, 300, NOW)).ok).toBe(false);
    expect((await verifyWebhook(BODY, { ...headers, "webhook-timestamp": "1e9" }, CURRENT, 300, NOW)).ok).toBe(false);
    expect((await verifyWebhook(BODY, { ...headers, "webhook-signature": "v1,!!" }, CURRENT, 300, NOW)).ok).toBe(false);
    const v2 = headers["webhook-signature"].replace("v1,", "v2,");
    expect((await verifyWebhook(BODY, { ...headers, "webhook-signature": v2 }, CURRENT, 300, NOW)).ok).toBe(false);
  });

  it("rotation: a delivery signed with both secrets verifies with either; a receiver may accept both", async () => {
    const headers = await delivery(BODY, [CURRENT, PREVIOUS]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect((await verifyWebhook(BODY, headers, CURRENT, 300, NOW)).ok).toBe(true);
    expect((await verifyWebhook(BODY, headers, PREVIOUS, 300, NOW)).ok).toBe(true);
    const onlyOld = await delivery(BODY, [PREVIOUS]);
    expect((await verifyWebhook(BODY, onlyOld, [CURRENT, PREVIOUS], 300, NOW)).ok).toBe(true);
  });

  it("secrets: whsec_ base64 of at least 16 bytes; generated ones qualify", () => {
    expect(webhookSecretBytes(CURRENT)).toHaveLength(24);
    expect(() => webhookSecretBytes("whsec_not base64!")).toThrow(TypeError);
    expect(() => webhookSecretBytes("whsec_c2hvcnQ=")).toThrow(/16 bytes/);
    const generated = generateWebhookSecret();
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretBytes(generated)).toHaveLength(32);
  });
});

describe("cross-check with the standardwebhooks library", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the library verifies our signatures (each of a rotation's) and we verify the library's", async () => {
    // The library reads Date.now(): pin it, so the check cannot depend on the test's speed.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW * 1000);
    const headers = await delivery(BODY, [CURRENT, PREVIOUS]);
    expect(new Webhook(CURRENT).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(PREVIOUS).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(CURRENT).verify(BODY.replace("1-abc", "1-abd"), headers)).toThrow();

    const theirs = new Webhook(CURRENT).sign("msg_9", new Date(NOW * 1000), BODY);
    expect(theirs).toBe(await signWebhook("msg_9", NOW, BODY, [CURRENT]));
    const result = await verifyWebhook(
      BODY,
      { "webhook-id": "msg_9", "webhook-timestamp": String(NOW), "webhook-signature": theirs },
      CURRENT,
      300,
      NOW,
    );
    expect(result.ok).toBe(true);
  });
});
