/** Playback tokens (worker/auth/tokens.ts): HS256, scope, purpose, expiry, rotation grace. */
import { createHmac } from "node:crypto";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  checkToken,
  isCanonicalBase64Url,
  jobScope,
  mintToken,
  recordingScope,
  scopeGrants,
} from "../../../worker/auth/tokens.ts";
import { tamperSignature } from "../../support/tamper.ts";

const CURRENT = "current-secret-0123456789abcdef0123";
const PREVIOUS = "previous-secret-0123456789abcdef012";
const secrets = { current: CURRENT, previous: PREVIOUS };

describe("tokens", () => {
  it("a minted token grants its scope and purpose", async () => {
    const token = await mintToken(CURRENT, { scope: jobScope("J1"), purpose: "key", ttlSeconds: 60 });
    const check = await checkToken(token, { secrets, scope: jobScope("J1"), purposes: ["key", "play"] });
    expect(check).toMatchObject({ ok: true, claims: { sub: "job:J1", pur: "key" }, previousSecret: false });
  });

  it("missing, malformed, tampered, expired -> 401; wrong job or purpose -> 403", async () => {
    const token = await mintToken(CURRENT, { scope: jobScope("J1"), purpose: "key", ttlSeconds: 60 });
    const request = { secrets, scope: jobScope("J1"), purposes: ["key"] as const };
    expect(await checkToken(undefined, request)).toMatchObject({ ok: false, status: 401, reason: "missing" });
    expect(await checkToken("abc", request)).toMatchObject({ status: 401, reason: "malformed" });
    expect(await checkToken("a".repeat(3000) + ".b.c", request)).toMatchObject({ status: 401, reason: "malformed" });
    const [header, , signature] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ sub: "job:J1", pur: "key", iat: 1, exp: 4e9 })).toString(
      "base64url",
    );
    expect(await checkToken(`${header}.${forgedPayload}.${signature}`, request)).toMatchObject({
      status: 401,
      reason: "invalid",
    });
    expect(await checkToken(tamperSignature(token), request)).toMatchObject({
      status: 401,
    });
    const expired = await mintToken(CURRENT, {
      scope: jobScope("J1"),
      purpose: "key",
      ttlSeconds: 60,
      nowSeconds: 1000,
    });
    expect(await checkToken(expired, request)).toMatchObject({ status: 401, reason: "expired" });
    expect(await checkToken(token, { ...request, scope: jobScope("J2") })).toMatchObject({
      status: 403,
      reason: "wrong-scope",
    });
    expect(await checkToken(token, { ...request, purposes: ["play"] })).toMatchObject({
      status: 403,
      reason: "wrong-purpose",
    });
  });

  it("refuses other algorithms and foreign secrets", async () => {
    const request = { secrets, scope: jobScope("J1"), purposes: ["play"] as const };
    const claims = { sub: "job:J1", pur: "play", iat: 1, exp: 4e9 };
    expect(await checkToken(await sign(claims, CURRENT, "HS512"), request)).toMatchObject({ status: 401 });
    expect(await checkToken(await sign(claims, "someone-else-0123456789abcdef01234", "HS256"), request)).toMatchObject({
      status: 401,
    });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.x`;
    expect(await checkToken(none, request)).toMatchObject({ status: 401 });
  });

  it("rotation: the previous secret is accepted while set, and only then", async () => {
    const old = await mintToken(PREVIOUS, { scope: jobScope("J1"), purpose: "play", ttlSeconds: 60 });
    const request = { scope: jobScope("J1"), purposes: ["play"] as const };
    expect(await checkToken(old, { ...request, secrets })).toMatchObject({ ok: true, previousSecret: true });
    expect(await checkToken(old, { ...request, secrets: { current: CURRENT } })).toMatchObject({ status: 401 });
  });

  it("rec:* grants every recorder stream and nothing else", () => {
    expect(scopeGrants("rec:*", recordingScope("cam1"))).toBe(true);
    expect(scopeGrants("rec:*", recordingScope(""))).toBe(true);
    expect(scopeGrants("rec:*", jobScope("J1"))).toBe(false);
    expect(scopeGrants("rec:cam1", recordingScope("cam2"))).toBe(false);
    expect(scopeGrants("job:J1", jobScope("J1"))).toBe(true);
  });

  it("one token string per token: every one-character change of the signature is refused", async () => {
    const token = await mintToken(CURRENT, { scope: jobScope("J1"), purpose: "play", ttlSeconds: 600 });
    const request = { secrets, scope: jobScope("J1"), purposes: ["play"] as const };
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const accepted: string[] = [];
    for (let position = 0; position < signature.length; position++) {
      for (const character of alphabet) {
        if (character === signature[position]) continue;
        const changed = signature.slice(0, position) + character + signature.slice(position + 1);
        const check = await checkToken(`${header}.${payload}.${changed}`, request);
        if (check.ok) accepted.push(changed);
      }
    }
    expect(accepted).toEqual([]);
    expect(await checkToken(token, request)).toMatchObject({ ok: true });
  });

  it("refuses a header or payload spelt with non-zero pad bits, even when signed over that spelling", async () => {
    const request = { secrets, scope: jobScope("J1"), purposes: ["play"] as const };
    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const signed = (head: string, body: string) =>
      `${head}.${body}.${createHmac("sha256", CURRENT).update(`${head}.${body}`).digest("base64url")}`;
    // Pad the payload until its encoding leaves unused bits (length 2 or 3 mod 4).
    let claims = { sub: "job:J1", pur: "play", iat: 1, exp: 4e9, n: "" };
    while (base64url(claims).length % 4 === 0) claims = { ...claims, n: `${claims.n}x` };
    const head = base64url({ alg: "HS256", typ: "JWT" });
    const body = base64url(claims);
    expect(await checkToken(signed(head, body), request)).toMatchObject({ ok: true });
    // The same bytes with a pad bit set in the last character: decoders read the same claims.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const alias = body.slice(0, -1) + alphabet[alphabet.indexOf(body.at(-1)!) + 1]!;
    expect(Buffer.from(alias, "base64url").equals(Buffer.from(body, "base64url"))).toBe(true);
    expect(await checkToken(signed(head, alias), request)).toMatchObject({ status: 401, reason: "malformed" });
    expect(await checkToken(signed(`${head}A`, body), request)).toMatchObject({ status: 401, reason: "malformed" });
  });

  it("isCanonicalBase64Url follows RFC 4648's unused-bits rule", () => {
    for (const bytes of [0, 1, 2, 3, 31, 32, 33]) {
      const encoded = Buffer.alloc(bytes, 0xff).toString("base64url");
      expect(isCanonicalBase64Url(encoded)).toBe(true);
    }
    expect(isCanonicalBase64Url("_w")).toBe(true); // 0xff
    expect(isCanonicalBase64Url("_x")).toBe(false);
    expect(isCanonicalBase64Url("__8")).toBe(true); // 0xff 0xff
    expect(isCanonicalBase64Url("__9")).toBe(false);
    expect(isCanonicalBase64Url("AAAAA")).toBe(false);
  });
});
