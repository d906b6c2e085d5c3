/**
 * The local stack's webhooks, end to end on real sockets: the producers' enqueue (AWS SDK SQSClient)
 * -> the local queue stand-in -> the real webhook-deliver handler -> the local receiver, which verifies
 * and prints. Waits on the printed lines, never on time.
 */
import { afterAll, describe, expect, it } from "vitest";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { enqueueWebhooks } from "../../aws-lambdas/shared/webhooks.ts";
import type { WebhookPayload } from "../../model/webhooks.ts";
import { startLocalWebhooks, type LocalWebhooks } from "../../local/webhooks.ts";

const lines: string[] = [];
let waiters: Array<() => void> = [];
const print = (line: string) => {
  lines.push(line);
  for (const wake of waiters) wake();
  waiters = [];
};
const printed = async (count: number) => {
  while (lines.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
};

let webhooks: LocalWebhooks | undefined;
afterAll(() => webhooks?.stop());

const payload = (progress: number): WebhookPayload => ({
  id: `job_1764000000000-abcdef_PROGRESSING_${progress}_0`,
  type: "job.progressing",
  timestamp: "2026-11-21T12:35:00.000Z",
  data: { jobId: "1764000000000-abcdef", inputFile: "uploads/a.mp4", status: "PROGRESSING", progress, details: {} },
});

describe("local webhooks", () => {
  it("delivers what the producers enqueue, in order, verified and printed by the receiver", async () => {
    webhooks = await startLocalWebhooks({ receiverPort: 0, log: memoryLog(), print });
    const log = memoryLog();
    await enqueueWebhooks(webhooks.sender, payload(10), log);
    await enqueueWebhooks(webhooks.sender, payload(20), log);
    await printed(4);
    expect(log.entries).toEqual([]);
    expect(lines[0]).toBe(
      "webhook job.progressing 1764000000000-abcdef (webhook-id job_1764000000000-abcdef_PROGRESSING_10_0, signature verified)",
    );
    expect(JSON.parse(lines[1]!)).toEqual(payload(10));
    expect(JSON.parse(lines[3]!)).toEqual(payload(20));
    expect(webhooks.describe()).toContain(`${webhooks.receiverUrl}   (this receiver prints each delivery)`);
  });

  it("says, when WEBHOOK_URLS sends the deliveries elsewhere, that its own receiver gets none", async () => {
    const elsewhere = await startLocalWebhooks({
      receiverPort: 0,
      urls: ["http://127.0.0.1:9/hooks"],
      log: memoryLog(),
      print,
    });
    try {
      expect(elsewhere.describe()).toContain("http://127.0.0.1:9/hooks   (WEBHOOK_URLS;");
      expect(elsewhere.describe()).toContain(`${elsewhere.receiverUrl} gets none`);
      expect(elsewhere.describe()).not.toContain("prints each delivery");
    } finally {
      await elsewhere.stop();
    }
  });
});
