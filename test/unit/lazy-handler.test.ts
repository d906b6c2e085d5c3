/** aws-lambdas/shared/lazy-handler.ts: the handler's code loads once, on the first event, and again only after a failed load. */
import { describe, expect, it } from "vitest";
import { lazyHandler } from "../../aws-lambdas/shared/lazy-handler.ts";

describe("lazyHandler", () => {
  it("loads on the first event only, then every event goes to the loaded handler", async () => {
    let loads = 0;
    const handler = lazyHandler(async () => {
      loads++;
      return async (event: number, context?: string) => `${event}:${context ?? "-"}:${loads}`;
    });
    expect(loads).toBe(0);
    // Two events racing the first load share it.
    expect(await Promise.all([handler(1, "a"), handler(2)])).toEqual(["1:a:1", "2:-:1"]);
    expect(await handler(3)).toBe("3:-:1");
    expect(loads).toBe(1);
  });

  it("a failed load fails that event and is tried again on the next", async () => {
    let loads = 0;
    const handler = lazyHandler(async () => {
      loads++;
      if (loads === 1) throw new Error("chunk missing");
      return async (event: string) => event.toUpperCase();
    });
    await expect(handler("a")).rejects.toThrow("chunk missing");
    expect(await handler("b")).toBe("B");
    expect(await handler("c")).toBe("C");
    expect(loads).toBe(2);
  });

  it("an error of the loaded handler does not reload it", async () => {
    let loads = 0;
    const handler = lazyHandler(async () => {
      loads++;
      return async (event: string) => {
        if (event === "bad") throw new Error("rejected");
        return event;
      };
    });
    await expect(handler("bad")).rejects.toThrow("rejected");
    expect(await handler("good")).toBe("good");
    expect(loads).toBe(1);
  });
});
