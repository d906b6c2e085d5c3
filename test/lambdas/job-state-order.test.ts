/**
 * Property: for any interleaving of a job's events, with duplicates, the final status row equals the
 * row the in-order sequence produces. Runs the real handler against DynamoDB Local and the S3 server.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createJobStateHandler } from "../../aws-lambdas/job-state/job-state.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { DEFAULT_TABLES } from "../../model/index.ts";
import { buckets, fakeJobId, fixture, getRow, putSubmittedJob, testClients, uniquePrefix } from "./support.ts";

const { doc, objects } = testClients();

const handler = createJobStateHandler({
  config: { tables: DEFAULT_TABLES, outputBucket: buckets.output, statusTtlSeconds: 86_400 },
  clients: { dynamodb: doc, s3: objects },
  log: memoryLog(),
  now: () => new Date("2026-11-21T12:40:00Z"),
});

type Detail = Record<string, unknown>;
const T0 = 1763728500000;

/** A realistic, time-ordered event sequence for one job. */
const jobHistory = fc
  .record({
    progress: fc
      .array(fc.integer({ min: 0, max: 100 }), { maxLength: 6 })
      .map((values) => values.sort((a, b) => a - b)),
    withoutPercent: fc.boolean(),
    warning: fc.boolean(),
    extras: fc.boolean(),
    terminal: fc.constantFrom("COMPLETE", "ERROR", "CANCELED", "none"),
  })
  .map(({ progress, withoutPercent, warning, extras, terminal }) => {
    const details: Detail[] = [{ status: "PROGRESSING" }];
    if (extras) details.push({ status: "QUEUE_HOP" }, { status: "INPUT_INFORMATION" });
    if (withoutPercent) details.push({ status: "STATUS_UPDATE", jobProgress: { currentPhase: "PROBING" } });
    for (const percent of progress)
      details.push({ status: "STATUS_UPDATE", jobProgress: { jobPercentComplete: percent } });
    if (warning) details.push({ status: "NEW_WARNING", warningCode: "230005" });
    if (terminal === "COMPLETE")
      details.push((fixture("eventbridge/mediaconvert-complete-abr.json") as { detail: Detail }).detail);
    if (terminal === "ERROR")
      details.push({ status: "ERROR", errorCode: 1010, errorMessage: "Unable to open input file [s3://b/x.mp4]" });
    if (terminal === "CANCELED") details.push({ status: "CANCELED" });
    return details.map((detail, index) => ({ ...structuredClone(detail), timestamp: T0 + index * 10_000 }));
  });

describe("job-state ordering property", () => {
  it("final row for any interleaving with duplicates == final row in order", async () => {
    const outputPath = `${uniquePrefix("property")}movie.mp4_20261121123456/`;
    await fc.assert(
      fc.asyncProperty(
        jobHistory.chain((history) =>
          fc.record({
            history: fc.constant(history),
            shuffled: fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }),
            duplicates: fc.array(fc.constantFrom(...history), { maxLength: 4 }),
            positions: fc.array(fc.nat(), { maxLength: 4 }),
          }),
        ),
        async ({ history, shuffled, duplicates, positions }) => {
          const delivered = [...shuffled];
          duplicates.forEach((duplicate, index) =>
            delivered.splice((positions[index] ?? 0) % (delivered.length + 1), 0, duplicate),
          );
          const [inOrder, interleaved] = await Promise.all([
            putSubmittedJob(doc, fakeJobId(), outputPath),
            putSubmittedJob(doc, fakeJobId(), outputPath),
          ]);
          // The two jobs' rows are independent: their sequences run side by side, each in its order.
          const deliver = async (jobId: string, details: Detail[]) => {
            for (const detail of details) await handler({ source: "aws.mediaconvert", detail: { ...detail, jobId } });
          };
          await Promise.all([deliver(inOrder, history), deliver(interleaved, delivered)]);
          const expected = { ...(await getRow(doc, "jobIdToStatus", inOrder)), JobId: "x" };
          const actual = { ...(await getRow(doc, "jobIdToStatus", interleaved)), JobId: "x" };
          expect(actual).toEqual(expected);
          const progress = (expected as Record<string, unknown>).ProgressRate as number;
          expect(Number.isFinite(progress)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    // 40 runs are ~2,000 DynamoDB Local calls: ~7 s on an idle machine, over 30 s on 2 cores at
    // load ~20. The outcome does not depend on the pace (the rows never expire: global-setup.ts).
  }, 180_000);
});
