import { describe, expect, it } from "vitest";
import {
  buildStatusUpdate,
  buildWarningUpdate,
  parseJobStateEvent,
  percentComplete,
  planJobStateUpdate,
  sanitizeErrorMessage,
} from "../../aws-lambdas/job-state/state-update.ts";

const parse = (detail: Record<string, unknown>) => {
  const parsed = parseJobStateEvent({
    source: "aws.mediaconvert",
    time: "2026-11-21T12:00:00Z",
    detail: { jobId: "j", ...detail },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.event;
};

describe("planJobStateUpdate", () => {
  it("maps every MediaConvert status", () => {
    const plans = [
      "PROGRESSING",
      "STATUS_UPDATE",
      "COMPLETE",
      "ERROR",
      "CANCELED",
      "NEW_WARNING",
      "INPUT_INFORMATION",
      "QUEUE_HOP",
      "SOMETHING_NEW",
    ].map((status) =>
      planJobStateUpdate(parse({ status, warningCode: status === "NEW_WARNING" ? 230005 : undefined })),
    );
    expect(
      plans.map((plan) => (plan.kind === "status" ? `${plan.status}:${plan.rank}:${plan.progress}` : plan.kind)),
    ).toEqual([
      "PROGRESSING:1:0",
      "PROGRESSING:1:0",
      "COMPLETE:2:100",
      "ERROR:2:100",
      "CANCELED:2:100",
      "warning",
      "ignore",
      "ignore",
      "ignore",
    ]);
  });

  it("reads jobPercentComplete only when it is a number", () => {
    expect(percentComplete({ jobProgress: { jobPercentComplete: 42 } })).toBe(42);
    expect(percentComplete({ jobProgress: { jobPercentComplete: "42" } })).toBe(42);
    expect(percentComplete({ jobProgress: { jobPercentComplete: 140 } })).toBe(100);
    expect(percentComplete({ jobProgress: {} })).toBeUndefined();
    expect(percentComplete({ jobProgress: { jobPercentComplete: "n/a" } })).toBeUndefined();
    expect(percentComplete({})).toBeUndefined();
  });

  it("takes the event time from detail.timestamp, else the envelope, else 0", () => {
    expect(parse({ status: "X", timestamp: 5 }).timestampMs).toBe(5);
    expect(parse({ status: "X" }).timestampMs).toBe(Date.parse("2026-11-21T12:00:00Z"));
    const bare = parseJobStateEvent({ detail: { jobId: "j", status: "X" } });
    expect(bare.ok && bare.event.timestampMs).toBe(0);
  });
});

describe("expressions use #names for every attribute (STATUS, TTL, ... are reserved words)", () => {
  const identifiers = (expression: string) =>
    expression
      .replace(/\b(SET|REMOVE|AND|OR|NOT|attribute_exists|attribute_not_exists|if_not_exists)\b/g, " ")
      .match(/[#:]?[A-Za-z_][A-Za-z0-9_]*/g) ?? [];

  it("status and warning updates", () => {
    const plan = planJobStateUpdate(parse({ status: "COMPLETE", warnings: [{ code: 1, count: 2 }] }));
    if (plan.kind !== "status") throw new Error("expected a status plan");
    const updates = [
      buildStatusUpdate({
        tableName: "t",
        jobId: "j",
        plan,
        timestampMs: 1,
        expirationTime: 2,
        extra: { OutputPath: "p/", Status: "x" },
      }),
      buildWarningUpdate("t", "j", { "230005": 1 }),
    ];
    for (const update of updates) {
      for (const expression of [update.UpdateExpression!, update.ConditionExpression!]) {
        const bare = identifiers(expression).filter((id) => !id.startsWith("#") && !id.startsWith(":"));
        expect(bare, expression).toEqual([]);
      }
    }
    expect(updates[0]!.ExpressionAttributeNames).toMatchObject({ "#status": "JobStatus", "#ttl": "ExpirationTime" });
  });
});

describe("sanitizeErrorMessage", () => {
  it("removes s3:// prefixes, S3 URLs, ARNs and bucket names; keeps the rest", () => {
    expect(
      sanitizeErrorMessage(
        "Cannot read [s3://my.bucket-1/dir/a b.mp4] or arn:aws:s3:::my.bucket-1/x.mp4 via https://my.bucket-1.s3.us-east-1.amazonaws.com/k.ts; bucket my.bucket-1 denied",
        ["my.bucket-1"],
      ),
    ).toBe("Cannot read [dir/a b.mp4] or x.mp4 via k.ts; bucket denied");
    expect(sanitizeErrorMessage("Codec unsupported", ["media-output"])).toBe("Codec unsupported");
  });
});
