import { DeleteTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import {
  createJobStateHandler,
  JobNotRecordedYetError,
  type JobStateConfig,
} from "../../aws-lambdas/job-state/job-state.ts";
import { memoryLog } from "../../aws-lambdas/shared/logger.ts";
import { S3RequestError, type S3Writer } from "../../aws-lambdas/shared/s3-objects.ts";
import { ensureTables, localDynamoDbClient } from "../../local/aws.ts";
import { DEFAULT_TABLES, epochSeconds, type TableRole } from "../../model/index.ts";
import { HLS_LADDER } from "../../model/ladder.ts";
import {
  buckets,
  fakeJobId,
  fixture,
  getRow,
  getText,
  listKeys,
  putSubmittedJob,
  tables,
  testClients,
  uniquePrefix,
} from "./support.ts";

const { doc, s3, objects } = testClients();

const NOW = new Date("2026-11-21T12:40:00Z");
const TTL = epochSeconds(NOW.getTime()) + 86_400;
const config: JobStateConfig = { tables: DEFAULT_TABLES, outputBucket: buckets.output, statusTtlSeconds: 86_400 };

function setup(s3Writer: S3Writer = objects) {
  const log = memoryLog();
  const handler = createJobStateHandler({ config, clients: { dynamodb: doc, s3: s3Writer }, log, now: () => NOW });
  return { handler, log };
}

type Event = { detail: Record<string, unknown> & { jobId: string } };

/** What submit-job leaves behind for a job (output row + SUBMITTED status row); its id. */
const submittedJob = (outputPath: string, inputFile?: string) =>
  putSubmittedJob(doc, fakeJobId(), outputPath, inputFile);

/** A fixture with the job id (and output folder) replaced. */
function event(path: string, jobId: string, outputPath?: string): Event {
  let text = JSON.stringify(fixture(path));
  if (outputPath) {
    text = text
      .replaceAll("uploads/holiday 2026.mov_20261121123456/", outputPath)
      .replaceAll("Big Buck Bunny.test.mp4_test/", outputPath);
  }
  const parsed = JSON.parse(text) as Event;
  parsed.detail.jobId = jobId;
  return parsed;
}

describe("job-state: the seed's own test events", () => {
  it("STATUS_UPDATE 70% then COMPLETE give the seed's rows and info.json, and no key file", async () => {
    const outputPath = `${uniquePrefix("seed")}Big Buck Bunny.test.mp4_test/`;
    const jobId = await submittedJob(outputPath, "Big Buck Bunny.test.mp4");
    const { handler, log } = setup();

    expect(await handler(event("seed/status-update-70.json", jobId))).toEqual({
      outcome: "applied",
      jobId,
      status: "STATUS_UPDATE",
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      JobStatus: "PROGRESSING",
      ProgressRate: 70,
      ExpirationTime: TTL,
    });

    const result = await handler(event("seed/complete-big-buck-bunny.json", jobId, outputPath));
    expect(result).toEqual({ outcome: "applied", jobId, status: "COMPLETE", infoFile: `${outputPath}info.json` });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toEqual({
      JobId: jobId,
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      DurationMs: 596458,
      WidthPx: 1280,
      HeightPx: 720,
      OutputPath: outputPath,
      Playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
      PlaylistPaths: ["Big Buck Bunny.test.m3u8"],
      Renditions: [{ durationMs: 596458, widthPx: 1280, heightPx: 720 }],
      InputFile: "Big Buck Bunny.test.mp4",
      StatusRank: 2,
      LastEventTime: 0,
      Warnings: {},
      CreationTime: 1763728496,
      ExpirationTime: TTL,
    });
    expect(JSON.parse((await getText(s3, buckets.output, `${outputPath}info.json`))!)).toEqual({
      duration_ms: 596458,
      width_px: 1280,
      height_px: 720,
      playlists: { ".m3u8": "Big Buck Bunny.test.m3u8" },
      playlist_paths: ["Big Buck Bunny.test.m3u8"],
    });
    expect(await listKeys(s3, buckets.output, outputPath)).toEqual([`${outputPath}info.json`]);
    expect(JSON.stringify(log.entries)).not.toContain("00112233445566778899aabbccddeeff");
  });

  it("ERROR 1010 stores the code and a message without s3:// prefixes or bucket names", async () => {
    const jobId = await submittedJob(`${uniquePrefix("seed-error")}Big Buck Bunny.mp4_20261121123456/`);
    const { handler } = setup();
    await handler(event("seed/error-1010.json", jobId));
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      JobStatus: "ERROR",
      ProgressRate: 100,
      ErrorCode: 1010,
      ErrorMessage:
        "Unable to open input file [Big Buck Bunny.mp4]: [Failed probe/open: [The version of the manifest file at this URL is more recent than we support: [Big Buck Bunny.mp4]. We support versions up to [4].]]",
    });
  });
});

describe("job-state: realistic EventBridge events", () => {
  it("COMPLETE of an ABR ladder records every rendition, the largest size, warnings and all playlists", async () => {
    const outputPath = `${uniquePrefix("abr")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath));
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      JobStatus: "COMPLETE",
      ProgressRate: 100,
      DurationMs: 596500,
      WidthPx: 1920,
      HeightPx: 1080,
      OutputPath: outputPath,
      Playlists: { ".m3u8": "holiday 2026.m3u8" },
      PlaylistPaths: [
        "holiday 2026.m3u8",
        "holiday 2026_360p.m3u8",
        "holiday 2026_1080p.m3u8",
        "holiday 2026_720p.m3u8",
        "holiday 2026_audio.m3u8",
      ],
      Renditions: [
        { playlistPath: "holiday 2026_360p.m3u8", durationMs: 596458, widthPx: 640, heightPx: 360 },
        { playlistPath: "holiday 2026_1080p.m3u8", durationMs: 596500, widthPx: 1920, heightPx: 1080 },
        { playlistPath: "holiday 2026_720p.m3u8", durationMs: 596458, widthPx: 1280, heightPx: 720 },
        { playlistPath: "holiday 2026_audio.m3u8", durationMs: 596480 },
      ],
      Warnings: { "230005": 1, "230001": 3 },
      LastEventTime: 1763728600000,
    });
  });

  it("COMPLETE with frame captures lists them (from each output's last file) in the row and info.json", async () => {
    const outputPath = `${uniquePrefix("captures")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    const { handler } = setup();
    const complete = event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath);
    const capture = (width: number, height: number, last: string) => ({
      outputFilePaths: [`s3://${buckets.output}/${outputPath}holiday 2026_thumb${width}.${last}.jpg`],
      durationInMs: 596500,
      videoDetails: { widthInPx: width, heightInPx: height },
    });
    // As MediaConvert reports a File group of FRAME_CAPTURE outputs: the last capture of each.
    (complete.detail.outputGroupDetails as unknown[]).push({
      type: "FILE_GROUP",
      outputDetails: [capture(1280, 720, "0000119"), capture(320, 180, "0000119")],
    });
    await handler(complete);
    const captures = {
      interval_seconds: HLS_LADDER.frameCaptures!.intervalSeconds,
      sets: [
        { name_prefix: "holiday 2026_thumb320", width: 320, height: 180, count: 120 },
        { name_prefix: "holiday 2026_thumb1280", width: 1280, height: 720, count: 120 },
      ],
    };
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "COMPLETE", Captures: captures });
    const info = JSON.parse((await getText(s3, buckets.output, `${outputPath}info.json`))!) as Record<string, unknown>;
    expect(info.captures).toEqual(captures);
  });

  it("COMPLETE without frame captures (an older template) lists none", async () => {
    const outputPath = `${uniquePrefix("nocaptures")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    await setup().handler(event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath));
    expect(await getRow(doc, "jobIdToStatus", jobId)).not.toHaveProperty("Captures");
    const info = JSON.parse((await getText(s3, buckets.output, `${outputPath}info.json`))!) as Record<string, unknown>;
    expect(info).not.toHaveProperty("captures");
  });

  it("ERROR removes every bucket name and S3 URL from the message", async () => {
    const jobId = await submittedJob(`${uniquePrefix("error")}x/`);
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-error.json", jobId));
    const row = await getRow(doc, "jobIdToStatus", jobId);
    expect(row).toMatchObject({ JobStatus: "ERROR", ErrorCode: 1030 });
    expect(row?.ErrorMessage).toBe(
      "Failed to write output [uploads/holiday 2026.mov_20261121123456/holiday 2026_360p_00001.ts] to bucket: Access Denied (uploads/x.ts)",
    );
  });

  it("never regresses: late STATUS_UPDATE after COMPLETE, PROGRESSING after progress, ERROR after COMPLETE", async () => {
    const outputPath = `${uniquePrefix("order")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-status-update.json", jobId));
    expect(await handler(event("eventbridge/mediaconvert-progressing.json", jobId))).toMatchObject({
      outcome: "stale",
      current: "PROGRESSING",
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "PROGRESSING", ProgressRate: 40 });

    await handler(event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath));
    const complete = await getRow(doc, "jobIdToStatus", jobId);
    for (const late of ["status-update", "progressing", "error", "canceled", "input-information", "queue-hop"]) {
      const result = await handler(event(`eventbridge/mediaconvert-${late}.json`, jobId));
      expect(["stale", "ignored"]).toContain(result.outcome);
    }
    expect(await getRow(doc, "jobIdToStatus", jobId)).toEqual(complete);
  });

  it("CANCELED is terminal, and STATUS_UPDATE without jobPercentComplete never writes NaN", async () => {
    const jobId = await submittedJob(`${uniquePrefix("cancel")}x/`);
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-status-update-no-percent.json", jobId));
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "PROGRESSING", ProgressRate: 0 });
    await handler(event("eventbridge/mediaconvert-canceled.json", jobId));
    await handler(event("eventbridge/mediaconvert-status-update.json", jobId));
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({
      JobStatus: "CANCELED",
      ProgressRate: 100,
      StatusRank: 2,
    });
  });

  it("keeps NEW_WARNING codes, whichever comes first of NEW_WARNING and COMPLETE", async () => {
    const outputPath = `${uniquePrefix("warn")}holiday 2026.mov_20261121123456/`;
    const first = await submittedJob(outputPath);
    const second = await submittedJob(outputPath);
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-new-warning.json", first));
    await handler(event("eventbridge/mediaconvert-complete-abr.json", first, outputPath));
    await handler(event("eventbridge/mediaconvert-complete-abr.json", second, outputPath));
    await handler(event("eventbridge/mediaconvert-new-warning.json", second));
    expect((await getRow(doc, "jobIdToStatus", first))?.Warnings).toEqual({ "230005": 1, "230001": 3 });
    expect((await getRow(doc, "jobIdToStatus", second))?.Warnings).toEqual({ "230005": 1, "230001": 3 });
  });

  it("gives a row that predates the Warnings map one", async () => {
    const jobId = await submittedJob(`${uniquePrefix("legacy")}x/`);
    await doc.send(
      new PutCommand({
        TableName: tables.jobIdToStatus,
        Item: { JobId: jobId, JobStatus: "SUBMITTED", ProgressRate: 0, StatusRank: 0, CreationTime: 1 },
      }),
    );
    const { handler } = setup();
    await handler(event("eventbridge/mediaconvert-new-warning.json", jobId));
    expect((await getRow(doc, "jobIdToStatus", jobId))?.Warnings).toEqual({ "230005": 1 });
  });
});

describe("job-state: jobs we did not submit", () => {
  it("creates nothing for an unknown job id, for any status", async () => {
    const { handler } = setup();
    const jobId = fakeJobId();
    for (const name of ["status-update", "progressing", "new-warning", "error", "canceled"]) {
      const stranger = event(`eventbridge/mediaconvert-${name}.json`, jobId);
      delete (stranger.detail as { userMetadata?: unknown }).userMetadata;
      expect(await handler(stranger)).toMatchObject({ outcome: "unknown-job" });
    }
    const seedComplete = event("seed/complete-big-buck-bunny.json", jobId);
    expect(await handler(seedComplete)).toMatchObject({ outcome: "unknown-job" });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toBeUndefined();
  });

  it("retries a fresh terminal event of one of our jobs not recorded yet, and drops it when old", async () => {
    const jobId = fakeJobId();
    const complete = event("eventbridge/mediaconvert-complete-abr.json", jobId);
    complete.detail.timestamp = NOW.getTime() - 2_000;
    const { handler } = setup();
    await expect(handler(complete)).rejects.toBeInstanceOf(JobNotRecordedYetError);
    complete.detail.timestamp = NOW.getTime() - 3_600_000;
    expect(await handler(complete)).toMatchObject({ outcome: "unknown-job" });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toBeUndefined();
  });

  it("drops a fresh terminal event of another stack's job (another OutputBucket) instead of retrying it", async () => {
    // A second media-edge stack in the account (say staging) tags its jobs JobCreatedBy "media-edge"
    // too, and both stacks' rules match them: retried, each of its jobs would end in this stack's
    // failure queue and raise its alarm.
    const jobId = fakeJobId();
    const { handler } = setup();
    for (const name of ["complete-abr", "error", "canceled"]) {
      const foreign = event(`eventbridge/mediaconvert-${name}.json`, jobId);
      foreign.detail.timestamp = NOW.getTime() - 2_000;
      (foreign.detail.userMetadata as Record<string, string>).OutputBucket = "staging-media-output";
      expect(await handler(foreign)).toMatchObject({ outcome: "unknown-job" });
    }
    // Ours, named so: retried until its rows are visible.
    const ours = event("eventbridge/mediaconvert-complete-abr.json", jobId);
    ours.detail.timestamp = NOW.getTime() - 2_000;
    (ours.detail.userMetadata as Record<string, string>).OutputBucket = buckets.output;
    await expect(handler(ours)).rejects.toBeInstanceOf(JobNotRecordedYetError);
  });

  it("applies an early event that raced submit-job's transaction (row missing at the condition, present after)", async () => {
    const outputPath = `${uniquePrefix("race")}clip.mp4_20261121124000/`;
    const jobId = fakeJobId();
    // A client whose first status update fails its condition as if the row did not exist yet,
    // while submit-job's rows commit in between: the re-read finds them and the update is retried.
    let first = true;
    const racingDoc = {
      send: async (command: { constructor: { name: string } }) => {
        if (first && command.constructor.name === "UpdateCommand") {
          first = false;
          await putSubmittedJob(doc, jobId, outputPath);
          throw Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
        }
        return doc.send(command as never);
      },
    } as unknown as typeof doc;
    const log = memoryLog();
    const handler = createJobStateHandler({
      config,
      clients: { dynamodb: racingDoc, s3: objects },
      log,
      now: () => NOW,
    });
    expect(await handler(event("seed/status-update-70.json", jobId))).toEqual({
      outcome: "applied",
      jobId,
      status: "STATUS_UPDATE",
    });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "PROGRESSING", ProgressRate: 70 });
  });

  it("rejects events that are not MediaConvert job state changes", async () => {
    const { handler } = setup();
    expect(await handler({ source: "aws.s3", detail: { jobId: "x", status: "COMPLETE" } })).toMatchObject({
      outcome: "rejected",
    });
    expect(await handler({ detail: { status: "COMPLETE" } })).toMatchObject({ outcome: "rejected" });
  });
});

describe("job-state: COMPLETE is retry-safe", () => {
  it("a redelivered COMPLETE restores a missing info.json even though the row is already COMPLETE", async () => {
    const outputPath = `${uniquePrefix("redeliver")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    const { handler } = setup();
    const complete = event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath);
    await handler(complete);
    await s3.send(new DeleteObjectCommand({ Bucket: buckets.output, Key: `${outputPath}info.json` }));
    expect(await handler(structuredClone(complete))).toMatchObject({ outcome: "stale" });
    expect(JSON.parse((await getText(s3, buckets.output, `${outputPath}info.json`))!)).toMatchObject({
      width_px: 1920,
    });
  });

  it("when writing info.json fails, the row is not marked COMPLETE and the retry does both", async () => {
    const outputPath = `${uniquePrefix("s3-fails")}holiday 2026.mov_20261121123456/`;
    const jobId = await submittedJob(outputPath);
    let failures = 1;
    const flaky: S3Writer = {
      putObject: (input) =>
        failures-- > 0
          ? Promise.reject(
              new S3RequestError(`PutObject s3://${input.bucket}/${input.key}: HTTP 503 SlowDown`, 503, "SlowDown"),
            )
          : objects.putObject(input),
    };
    const { handler } = setup(flaky);
    const complete = event("eventbridge/mediaconvert-complete-abr.json", jobId, outputPath);
    await expect(handler(complete)).rejects.toThrow("HTTP 503 SlowDown");
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "SUBMITTED" });
    expect(await handler(complete)).toMatchObject({ outcome: "applied" });
    expect(await getRow(doc, "jobIdToStatus", jobId)).toMatchObject({ JobStatus: "COMPLETE" });
    expect(await getText(s3, buckets.output, `${outputPath}info.json`)).toBeDefined();
  });

  it("does not write info.json when the output object path is taken by nothing else (sanity: bucket untouched for unknown jobs)", async () => {
    const outputPath = `${uniquePrefix("unknown-info")}holiday 2026.mov_20261121123456/`;
    await s3.send(new PutObjectCommand({ Bucket: buckets.output, Key: `${outputPath}marker`, Body: "x" }));
    const { handler } = setup();
    await handler(event("seed/complete-big-buck-bunny.json", fakeJobId(), outputPath));
    expect(await listKeys(s3, buckets.output, outputPath)).toEqual([`${outputPath}marker`]);
  });
});

describe("the test database and frozen clocks", () => {
  it("has no TTL reaper, so rows written under NOW (already past on the wall clock) stay put", async () => {
    // DynamoDB Local deletes items whose ExpirationTime has passed within a second or two of the
    // wall clock; the rows above expire one day after 2026-11-21. With a reaper, whether a test saw
    // its own row depended on how fast it ran (issue 9 point 9).
    const client = localDynamoDbClient(inject("dynamodbEndpoint"));
    try {
      for (const table of Object.values(DEFAULT_TABLES)) {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
        expect([table, ttl.TimeToLiveDescription?.TimeToLiveStatus]).toEqual([table, "DISABLED"]);
      }
      // npm start's tables (ensureTables' default) do have TTL, as the deployed ones do.
      const suffix = fakeJobId();
      const names = Object.fromEntries(
        Object.keys(DEFAULT_TABLES).map((role) => [role, `ttl-${role}-${suffix}`]),
      ) as Record<TableRole, string>;
      await ensureTables(inject("dynamodbEndpoint"), names);
      for (const table of Object.values(names)) {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
        expect(ttl.TimeToLiveDescription).toMatchObject({
          TimeToLiveStatus: "ENABLED",
          AttributeName: "ExpirationTime",
        });
        await client.send(new DeleteTableCommand({ TableName: table }));
      }
    } finally {
      client.destroy();
    }
  });
});
