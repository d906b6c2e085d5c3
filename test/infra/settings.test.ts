/** The CDK app's context reader: defaults from the model, and errors that name the context key. */
import { describe, expect, it } from "vitest";
import { retentionFor } from "../../infra/lib/pipeline-function.ts";
import { defaultSettings, readSettings, SettingsError } from "../../infra/lib/settings.ts";
import {
  DEFAULT_ANALYSIS_PREFIX,
  DEFAULT_RECORDINGS_PREFIX,
  DEFAULT_TABLES,
  TABLE_ENV_VARS,
} from "../../model/index.ts";

const read = (context: Record<string, unknown>) => readSettings((key) => context[key]);

function errorOf(context: Record<string, unknown>): SettingsError {
  try {
    read(context);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("readSettings", () => {
  it("defaults to the seed's table names and the model's prefixes, retaining data", () => {
    const settings = defaultSettings();
    expect(settings.tables).toEqual(DEFAULT_TABLES);
    expect(settings.existingTables).toEqual([]);
    expect(settings.recordingsPrefix).toBe(DEFAULT_RECORDINGS_PREFIX);
    expect(settings.recordingsRetentionDays).toBe(0);
    expect(settings.recordingSegmentSeconds).toBe(30);
    expect(settings.analysisPrefix).toBe(DEFAULT_ANALYSIS_PREFIX);
    expect(settings.removalPolicy).toBe("retain");
    expect(settings.facesStartConcurrency).toBe(5);
    expect(settings.bucketNames).toEqual({});
    expect(settings.mediaConvert).toEqual({});
  });

  it("overrides a table name with the variable name the Lambdas and the Worker use", () => {
    expect(read({ [TABLE_ENV_VARS.jobIdToStatus]: "Prod-Status" }).tables.jobIdToStatus).toBe("Prod-Status");
  });

  it("normalises prefixes and accepts context numbers as strings or numbers", () => {
    const settings = read({
      analysisPrefix: "/faces//",
      recordingsPrefix: "rec/",
      logRetentionDays: 90,
      recordingsRetentionDays: "30",
      facesStartConcurrency: "2",
    });
    expect(settings.recordingsRetentionDays).toBe(30);
    expect(settings.analysisPrefix).toBe("faces/");
    expect(settings.recordingsPrefix).toBe("rec");
    expect(settings.logRetentionDays).toBe(90);
    expect(settings.facesStartConcurrency).toBe(2);
    expect(read({ facesStartConcurrency: "none" }).facesStartConcurrency).toBeUndefined();
  });

  it.each([
    [{ TABLE_UPLOAD_EVENTS: "a b" }, "TABLE_UPLOAD_EVENTS"],
    [{ existingTables: "inputFileToJobId,Jobs" }, "existingTables"],
    [{ outputBucketName: "Media_Output" }, "outputBucketName"],
    [{ recordingsPrefix: "../movie" }, "recordingsPrefix"],
    [{ analysisPrefix: "faces/*" }, "analysisPrefix"],
    // An empty prefix would reach the Lambdas as "unset" and make the results' expiry rule cover all output.
    [{ analysisPrefix: "/" }, "analysisPrefix"],
    [{ facesStartConcurrency: "50" }, "facesStartConcurrency"],
    [{ facesStartConcurrency: "0" }, "facesStartConcurrency"],
    [{ removalPolicy: "snapshot" }, "removalPolicy"],
    [{ mediaConvertEndpoint: "http://x.example.com" }, "mediaConvertEndpoint"],
    [{ logRetentionDays: "a month" }, "logRetentionDays"],
    [{ recordingsRetentionDays: "-1" }, "recordingsRetentionDays"],
    [{ recordingSegmentSeconds: "0" }, "recordingSegmentSeconds"],
    [{ recordingSegmentSeconds: "3601" }, "recordingSegmentSeconds"],
    [{ workerUserName: "media edge" }, "workerUserName"],
    [{ inputPrefix: { nested: true } }, "inputPrefix"],
    [{ inputPrefix: "new uploads/" }, "inputPrefix"],
    [{ inputPrefix: "/uploads/" }, "inputPrefix"],
  ])("rejects %j naming %s", (context, key) => {
    const error = errorOf(context);
    expect(error.key).toBe(key);
    expect(error.message).toContain(key);
  });
});

describe("retentionFor", () => {
  it("rounds up to a retention CloudWatch Logs offers", () => {
    expect(retentionFor(30)).toBe(30);
    expect(retentionFor(31)).toBe(60);
    expect(retentionFor(1)).toBe(1);
    expect(retentionFor(3653)).toBe(3653);
  });
});
