/**
 * worker/auth/hs256.ts against hono/jwt, the library it replaced in the Worker (issue 12, bundle
 * size): tokens minted by one verify with the other, both ways, and both refuse the same tokens.
 */
import fc from "fast-check";
import { sign, verify } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { epochSeconds } from "../../model/index.ts";
import { signHs256, verifyHs256 } from "../../worker/auth/hs256.ts";

const SECRET = "0123456789abcdef0123456789abcdef-secret";
const OTHER = "another secret of 32 characters, at least";

/** hono/jwt as tokens.ts called it: HS256 pinned, exp and iat left to the caller; only object claims count. */
async function honoVerify(token: string, secret: string): Promise<Record<string, unknown> | undefined> {
  try {
    const payload: unknown = await verify(token, secret, { alg: "HS256", exp: false, iat: false });
    return typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const ours = (token: string, secret: string) => verifyHs256(token, secret, epochSeconds());

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token with any header and payload, signed (HS256 over the two parts) with `secret`. */
async function forge(header: unknown, payload: unknown, secret = SECRET): Promise<string> {
  const input = `${b64(header)}.${b64(payload)}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

const claims = fc.record(
  {
    sub: fc.string({ maxLength: 40 }),
    pur: fc.constantFrom("play", "key", "media", "upload", "thumbnail"),
    iat: fc.integer({ min: 0, max: 2 ** 40 }),
    exp: fc.integer({ min: 0, max: 2 ** 40 }),
    max: fc.integer({ min: 1, max: 2 ** 50 }),
  },
  { requiredKeys: ["sub", "pur", "iat", "exp"] },
);

describe("HS256 tokens, cross-checked with hono/jwt", () => {
  it("property: the same claims sign to the same token, and each verifies the other's", async () => {
    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const token = await signHs256(payload, SECRET);
        expect(token).toBe(await sign(payload, SECRET, "HS256"));
        expect(await honoVerify(token, SECRET)).toEqual(payload);
        expect(await ours(await sign(payload, SECRET, "HS256"), SECRET)).toEqual(payload);
        expect(await ours(token, OTHER)).toBeUndefined();
        expect(await honoVerify(token, OTHER)).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  const payload = { sub: "job:a", pur: "play", iat: 1, exp: 2 ** 40 };
  const now = epochSeconds();
  const cases: Array<[string, () => Promise<string>, boolean]> = [
    ["a well-formed token", () => forge({ alg: "HS256", typ: "JWT" }, payload), true],
    ["no typ", () => forge({ alg: "HS256" }, payload), true],
    ["typ application/jwt", () => forge({ alg: "HS256", typ: "application/JWT" }, payload), true],
    ["an nbf in the past", () => forge({ alg: "HS256" }, { ...payload, nbf: now - 3600 }), true],
    ["alg none, unsigned", async () => `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`, false],
    ["alg none, signed", () => forge({ alg: "none", typ: "JWT" }, payload), false],
    ["another alg (HS512)", () => forge({ alg: "HS512", typ: "JWT" }, payload), false],
    ["another alg (RS256)", () => forge({ alg: "RS256", typ: "JWT" }, payload), false],
    ["no alg", () => forge({ typ: "JWT" }, payload), false],
    ["typ other than JWT", () => forge({ alg: "HS256", typ: "JWS" }, payload), false],
    ["a crit header", () => forge({ alg: "HS256", crit: ["exp"] }, payload), false],
    ["a header that is not an object", () => forge("HS256", payload), false],
    ["signed with another secret", () => forge({ alg: "HS256" }, payload, OTHER), false],
    ["an nbf in the future", () => forge({ alg: "HS256" }, { ...payload, nbf: now + 3600 }), false],
    ["an nbf that is not a number", () => forge({ alg: "HS256" }, { ...payload, nbf: "0" }), false],
    ["claims that are not JSON", async () => `${b64({ alg: "HS256" })}.${b64("{not json")}.x`, false],
    ["two parts", async () => (await forge({ alg: "HS256" }, payload)).split(".").slice(0, 2).join("."), false],
    [
      "a tampered payload",
      async () => {
        const [header, , signature] = (await forge({ alg: "HS256" }, payload)).split(".");
        return `${header}.${b64({ ...payload, sub: "job:*" })}.${signature}`;
      },
      false,
    ],
    [
      "a truncated signature",
      async () => {
        const token = await forge({ alg: "HS256" }, payload);
        return token.slice(0, -4);
      },
      false,
    ],
    // exp and iat are the caller's (tokens.ts): both accept an expired token here.
    ["an exp in the past", () => forge({ alg: "HS256" }, { ...payload, exp: now - 3600 }), true],
    ["an iat in the future", () => forge({ alg: "HS256" }, { ...payload, iat: now + 3600 }), true],
  ];

  it.each(cases)("%s: read alike by both", async (_, make, accepted) => {
    const token = await make();
    const [mine, hono] = [await ours(token, SECRET), await honoVerify(token, SECRET)];
    expect(mine).toEqual(hono);
    if (accepted) expect(mine).toBeDefined();
    else expect(mine).toBeUndefined();
  });
});
