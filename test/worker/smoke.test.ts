import { describe, expect, it } from "vitest";
import { call } from "./support/request.ts";

describe("smoke", () => {
  it("answers the seed's no-parameter error", async () => {
    const response = await call("/api/media/status");
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"success": false, "message": "Not found parameter."}');
  });
});
