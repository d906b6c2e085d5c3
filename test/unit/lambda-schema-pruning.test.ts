/**
 * aws-lambdas/schema-pruning.ts: MediaConvert's CreateJob schema cut to what submit-job's samples set
 * makes the SDK send the same bytes and read the same values submit-job reads, and no more.
 */
import { Readable } from "node:stream";
import {
  CreateJob$,
  CreateJobCommand,
  type CreateJobCommandOutput,
  MediaConvertClient,
} from "@aws-sdk/client-mediaconvert";
import { HttpResponse } from "@smithy/core/protocols";
import { SMITHY_CONTEXT_KEY } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { prunedOperationModule } from "../../aws-lambdas/schema-pruning.ts";
import { createJobSamples } from "../../aws-lambdas/submit-job/create-job-samples.ts";
import { buildCreateJobRequest } from "../../aws-lambdas/submit-job/mediaconvert-settings.ts";

/** The module's export, evaluated. */
function evaluate(source: string): unknown {
  const body = source.replace(/^export \{ (\w+) as [\w$]+ \};$/m, "return $1;");
  return new Function(body)() as unknown;
}

const [sample] = createJobSamples();
/** A request as submit-job builds one in production: other values than the samples', the same members. */
const { request } = buildCreateJobRequest({
  input: { bucket: "my-uploads", key: "folder/Big Buck Bunny.mp4" },
  outputBucket: "my-outputs",
  mediaConvert: {
    role: "arn:aws:iam::111122223333:role/MediaConvertDefaultRole",
    jobTemplate: "media-edge-hls-abr",
    queue: "arn:aws:mediaconvert:us-east-1:111122223333:queues/Default",
  },
  keyHex: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  clientRequestToken: "c0ffee",
  now: new Date("2026-12-06T11:00:00Z"),
});
const pruned = evaluate(prunedOperationModule("CreateJob$", CreateJob$, createJobSamples()));

/**
 * What MediaConvert answers for a job: the settings sent, filled in from the template and defaults,
 * and job facts submit-job never reads.
 */
function answer(body: string): string {
  const sent = JSON.parse(body) as { settings: { outputGroups: Array<Record<string, unknown>> } };
  const [hls, ...others] = sent.settings.outputGroups;
  const hlsSettings = (hls!.outputGroupSettings as { hlsGroupSettings: Record<string, unknown> }).hlsGroupSettings;
  const job = {
    ...sent,
    id: "1700000000000-abcdef",
    arn: "arn:aws:mediaconvert:us-east-1:111122223333:jobs/1700000000000-abcdef",
    status: "SUBMITTED",
    createdAt: 1_700_000_000,
    timing: { submitTime: 1_700_000_000 },
    settings: {
      ...sent.settings,
      timecodeConfig: { source: "ZEROBASED" },
      outputGroups: [
        {
          ...hls,
          outputGroupSettings: {
            ...(hls!.outputGroupSettings as object),
            hlsGroupSettings: { ...hlsSettings, segmentLength: 6, minSegmentLength: 0, manifestCompression: "NONE" },
          },
        },
        ...others,
      ],
    },
  };
  return JSON.stringify({ job });
}

/**
 * Sends CreateJob with `schema` in place of the command's own (the operation schema the SDK's
 * serialization and deserialization steps read from the request's context) through a client whose
 * transport records the body and answers as MediaConvert.
 */
async function send(schema: unknown): Promise<{ body: string; output: CreateJobCommandOutput }> {
  let body = "";
  const client = new MediaConvertClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: {
      handle: async (request: { body: string | Uint8Array }) => {
        body = typeof request.body === "string" ? request.body : Buffer.from(request.body).toString("utf8");
        const headers = { "content-type": "application/json" };
        return {
          response: new HttpResponse({ statusCode: 201, headers, body: Readable.from([Buffer.from(answer(body))]) }),
        };
      },
    },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      context[SMITHY_CONTEXT_KEY] = { ...context[SMITHY_CONTEXT_KEY], operationSchema: schema };
      return next(args);
    },
    { step: "initialize" },
  );
  const output = await client.send(new CreateJobCommand(request));
  return { body, output };
}

describe("prunedOperationModule (MediaConvert CreateJob, submit-job's samples)", () => {
  it("the SDK sends byte for byte the request it sends with the full schema", async () => {
    const full = await send(CreateJob$);
    const cut = await send(pruned);
    expect(cut.body).toBe(full.body);
    // Not two equally empty bodies: every part submit-job sets is there.
    for (const member of ["role", "jobTemplate", "queue", "clientRequestToken", "userMetadata", "staticKeyValue"]) {
      expect(full.body).toContain(`"${member}":`);
    }
    expect(full.body).toContain('"frameCaptureSettings":{');
  });

  it("reads the members submit-job reads, as the full schema does, and drops the rest", async () => {
    const full = (await send(CreateJob$)).output.Job!;
    const cut = (await send(pruned)).output.Job!;
    expect(cut.Id).toBe("1700000000000-abcdef");
    const hls = (job: typeof full) => job.Settings!.OutputGroups![0]!.OutputGroupSettings;
    expect(hls(cut)).toEqual({ ...hls(full), HlsGroupSettings: expect.any(Object) });
    expect(hls(cut)!.HlsGroupSettings!.Destination).toBe(hls(full)!.HlsGroupSettings!.Destination);
    expect(hls(cut)!.HlsGroupSettings!.Encryption).toEqual(hls(full)!.HlsGroupSettings!.Encryption);
    // Members no sample sets are not parsed (with the full schema they are).
    expect(full.Status).toBe("SUBMITTED");
    expect(cut.Status).toBeUndefined();
    expect(hls(full)!.HlsGroupSettings!.SegmentLength).toBe(6);
    expect(hls(cut)!.HlsGroupSettings!.SegmentLength).toBeUndefined();
    expect(full.Settings!.TimecodeConfig).toEqual({ Source: "ZEROBASED" });
    expect(cut.Settings!.TimecodeConfig).toBeUndefined();
  });

  it("keeps the required-member count of the members it keeps", () => {
    const input = (pruned as unknown[])[4] as () => unknown[];
    expect(input().slice(4)).toEqual([
      ["Role", "Settings", "ClientRequestToken", "JobTemplate", "Queue", "StatusUpdateInterval", "UserMetadata"],
      expect.any(Array),
      2,
    ]);
  });

  it("fails on a sample member the schema does not have", () => {
    const input = { ...sample!.input, Settings: { ...sample!.input.Settings, NotAMember: 1 } };
    expect(() => prunedOperationModule("CreateJob$", CreateJob$, [{ input, output: {} }])).toThrow(
      "JobSettings has no member NotAMember: fix the sample.",
    );
  });

  it("refuses what is not an operation schema", () => {
    expect(() => prunedOperationModule("X$", [3, "ns", "X", 0, [], []], [])).toThrow("X$ is not an operation schema.");
  });
});
