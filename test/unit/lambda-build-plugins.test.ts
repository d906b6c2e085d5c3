/**
 * aws-lambdas/build-plugins.ts literalSchemaKeys: computed keys naming the module's own string
 * constants become literal keys (what lets esbuild drop unused schemas), and the objects stay equal.
 */
import { describe, expect, it } from "vitest";
import { literalSchemaKeys } from "../../aws-lambdas/build-plugins.ts";

const SOURCE = `const _hH = "httpHeader";
const _p = "__proto__";
const _xa = "x-amz-acl";
let _v = "not a constant of the schema";
export var Request$ = [3, "ns", "Request", 0, [_xa], [[0, { [_hH]: _xa }], [0, { [_p]: 1 }], [0, { [_v]: 2 }]]];
`;

/** The module's exports, evaluated. */
function evaluate(source: string): Record<string, unknown> {
  const body = source.replace(/^export var /gm, "exports.");
  const exports: Record<string, unknown> = {};
  new Function("exports", body)(exports);
  return exports;
}

describe("literalSchemaKeys", () => {
  it("writes the constants' values as literal keys, except __proto__ and names that are not string constants", () => {
    const rewritten = literalSchemaKeys(SOURCE);
    expect(rewritten).toContain('{ "httpHeader": _xa }');
    expect(rewritten).toContain("{ [_p]: 1 }");
    expect(rewritten).toContain("{ [_v]: 2 }");
    expect(evaluate(rewritten)).toEqual(evaluate(SOURCE));
  });
});
