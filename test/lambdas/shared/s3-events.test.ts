import { describe, expect, it } from "vitest";
import {
  compareSequencers,
  decodeS3EventKey,
  encodeS3EventKey,
  normaliseS3Events,
  sortableSequencer,
} from "../../../aws-lambdas/shared/s3-events.ts";

const record = (key: string, extra: Record<string, unknown> = {}, eventName = "ObjectCreated:Put") => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  awsRegion: "us-east-1",
  eventTime: "2026-11-21T12:00:00.000Z",
  eventName,
  s3: {
    s3SchemaVersion: "1.0",
    bucket: { name: "media-input", arn: "arn:aws:s3:::media-input" },
    object: { key, size: 1024, eTag: "0123456789abcdef0123456789abcdef", sequencer: "0A1B2C3D4E5F678901", ...extra },
  },
});

describe("decodeS3EventKey", () => {
  it("decodes form encoding: + is a space, %2B is a plus, unicode escapes", () => {
    expect(decodeS3EventKey("a+b%2Bc%2528%C3%BC%29.mp4")).toEqual({ ok: true, key: "a b+c%28ü).mp4" });
    expect(decodeS3EventKey(encodeS3EventKey("a b+c%2B(ü).mp4"))).toEqual({ ok: true, key: "a b+c%2B(ü).mp4" });
  });

  it("rejects malformed percent escapes with a reason instead of throwing", () => {
    const decoded = decodeS3EventKey("bad%E0%A4%A.mp4");
    expect(decoded.ok).toBe(false);
    expect(decodeS3EventKey("100%.mp4").ok).toBe(false);
  });

  it("keeps slashes readable when encoding, like S3", () => {
    expect(encodeS3EventKey("dir/sub dir/a+b.mp4")).toBe("dir/sub+dir/a%2Bb.mp4");
  });
});

describe("normaliseS3Events", () => {
  it("returns every record of a batch, decoded, in order", () => {
    const { objects, rejections } = normaliseS3Events({
      Records: [record("one.mp4"), record("dir/two+words.mov", { versionId: "v2", eTag: '"quoted"' })],
    });
    expect(rejections).toEqual([]);
    expect(objects).toEqual([
      {
        bucket: "media-input",
        key: "one.mp4",
        size: 1024,
        eTag: "0123456789abcdef0123456789abcdef",
        sequencer: "0A1B2C3D4E5F678901",
        eventName: "ObjectCreated:Put",
        eventTime: "2026-11-21T12:00:00.000Z",
        origin: "s3-notification",
      },
      expect.objectContaining({ key: "dir/two words.mov", versionId: "v2", eTag: "quoted" }),
    ]);
  });

  it("treats multipart completion (S3 and s3rver's ObjectCreated:Post) and copies as creations", () => {
    const { objects } = normaliseS3Events({
      Records: [
        record("a.mp4", {}, "ObjectCreated:CompleteMultipartUpload"),
        record("b.mp4", {}, "ObjectCreated:Post"),
        record("c.mp4", {}, "s3:ObjectCreated:Copy"),
      ],
    });
    expect(objects.map((o) => o.eventName)).toEqual([
      "ObjectCreated:CompleteMultipartUpload",
      "ObjectCreated:Post",
      "ObjectCreated:Copy",
    ]);
  });

  it("rejects removals, malformed keys and the S3 test event, and keeps the good records", () => {
    const { objects, rejections } = normaliseS3Events({
      Records: [record("gone.mp4", {}, "ObjectRemoved:Delete"), record("bad%zz.mp4"), record("ok.mp4"), { s3: {} }],
    });
    expect(objects.map((o) => o.key)).toEqual(["ok.mp4"]);
    expect(rejections.map((r) => r.reason)).toEqual(["not-object-created", "undecodable-key", "malformed-record"]);
    expect(rejections[1]).toMatchObject({ bucket: "media-input", rawKey: "bad%zz.mp4" });
    expect(normaliseS3Events({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b" }).rejections).toEqual([
      expect.objectContaining({ reason: "test-event", bucket: "b" }),
    ]);
  });

  it("normalises EventBridge Object Created events", () => {
    const { objects } = normaliseS3Events({
      version: "0",
      id: "c9888434-815d-c6f4-9fc2-4dd7bdeccaaf",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "111122223333",
      time: "2026-11-21T12:00:00Z",
      region: "us-east-1",
      resources: ["arn:aws:s3:::media-input"],
      detail: {
        version: "0",
        bucket: { name: "media-input" },
        object: { key: "a+b%2Bc.mp4", size: 5, etag: "abc-12", "version-id": "null", sequencer: "0064D3901D00059242" },
        "request-id": "X",
        requester: "111122223333",
        reason: "CompleteMultipartUpload",
      },
    });
    expect(objects).toEqual([
      {
        bucket: "media-input",
        key: "a b+c.mp4",
        size: 5,
        eTag: "abc-12",
        sequencer: "0064D3901D00059242",
        eventName: "ObjectCreated:CompleteMultipartUpload",
        eventTime: "2026-11-21T12:00:00Z",
        origin: "eventbridge",
      },
    ]);
  });

  it("with { removals: true }, returns deletes, delete markers and lifecycle expirations as removed objects", () => {
    // Removal notifications carry no size or ETag; a delete marker has a version id.
    const removal = (key: string, eventName: string, object: Record<string, unknown> = {}) => {
      const base = record(key, {}, eventName);
      return { ...base, s3: { ...base.s3, object: { key, sequencer: "0A1B2C3D4E5F678902", ...object } } };
    };
    const event = {
      Records: [
        record("new.ts"),
        removal("a+b.ts", "ObjectRemoved:Delete"),
        removal("marked.ts", "ObjectRemoved:DeleteMarkerCreated", { versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" }),
        removal("old.ts", "LifecycleExpiration:Delete"),
        removal("cold.ts", "LifecycleTransition"),
      ],
    };
    const { objects, removed, rejections } = normaliseS3Events(event, { removals: true });
    expect(objects.map((object) => object.key)).toEqual(["new.ts"]);
    expect(removed).toEqual([
      {
        bucket: "media-input",
        key: "a b.ts",
        eventName: "ObjectRemoved:Delete",
        sequencer: "0A1B2C3D4E5F678902",
        eventTime: "2026-11-21T12:00:00.000Z",
        origin: "s3-notification",
      },
      expect.objectContaining({ key: "marked.ts", versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" }),
      expect.objectContaining({ key: "old.ts", eventName: "LifecycleExpiration:Delete" }),
    ]);
    expect(rejections.map((rejection) => rejection.eventName)).toEqual(["LifecycleTransition"]);
    // Without the option, a removal is not an object creation, as before.
    expect(normaliseS3Events(event).removed).toEqual([]);
    expect(normaliseS3Events(event).rejections).toHaveLength(4);
  });

  it("with { removals: true }, normalises EventBridge Object Deleted events (a delete, a lifecycle expiration)", () => {
    const deleted = (reason: string) => ({
      "detail-type": "Object Deleted",
      source: "aws.s3",
      time: "2026-11-21T12:00:00Z",
      detail: { bucket: { name: "media-recordings" }, object: { key: "cam/x.ts", sequencer: "0064" }, reason },
    });
    expect(normaliseS3Events(deleted("DeleteObject"), { removals: true }).removed).toEqual([
      {
        bucket: "media-recordings",
        key: "cam/x.ts",
        eventName: "ObjectRemoved:Delete",
        sequencer: "0064",
        eventTime: "2026-11-21T12:00:00Z",
        origin: "eventbridge",
      },
    ]);
    expect(normaliseS3Events(deleted("Lifecycle Expiration"), { removals: true }).removed[0]?.eventName).toBe(
      "LifecycleExpiration:Delete",
    );
    expect(normaliseS3Events(deleted("DeleteObject")).rejections[0]?.reason).toBe("not-object-created");
  });

  it("unwraps S3 notifications delivered through SNS and SQS", () => {
    const inner = JSON.stringify({ Records: [record("via.mp4")] });
    expect(normaliseS3Events({ Records: [{ EventSource: "aws:sns", Sns: { Message: inner } }] }).objects).toHaveLength(
      1,
    );
    expect(normaliseS3Events({ Records: [{ eventSource: "aws:sqs", body: inner }] }).objects[0]?.key).toBe("via.mp4");
  });

  it("rejects what is not an S3 event at all", () => {
    expect(normaliseS3Events(null).rejections[0]?.reason).toBe("unrecognised-event");
    expect(normaliseS3Events({ detail: {} }).rejections[0]?.reason).toBe("unrecognised-event");
  });
});

describe("sequencers", () => {
  it("compare after right-padding with zeros, as AWS documents", () => {
    expect(compareSequencers("0A", "0A00")).toBe(0);
    expect(compareSequencers("0055AED6DCD90281E5", "0055AED6DCD90281E6")).toBeLessThan(0);
    expect(compareSequencers("0055AED6DCD9028", "0055AED6DCD90281E5")).toBeLessThan(0);
    expect(sortableSequencer("0a") < sortableSequencer("0B")).toBe(true);
  });
});
