/**
 * Test-side S3 writes from inside workerd (the Worker itself only reads), signed with the local
 * credentials, against the S3 server that globalSetup started.
 */
import { AwsClient } from "aws4fetch";
import { LOCAL_CREDENTIALS } from "../../../local/constants.ts";
import { DEFAULT_REGION } from "../../../model/index.ts";
import { encodeS3Key } from "../../../worker/aws/s3-url.ts";
import { bindings } from "./request.ts";

const s3 = new AwsClient({ ...LOCAL_CREDENTIALS, region: DEFAULT_REGION, service: "s3", retries: 0 });

/** PUT one object (path-style, as s3rver wants). */
export async function putObject(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
  const response = await s3.fetch(`${bindings.S3_ENDPOINT}/${bucket}/${encodeS3Key(key)}`, {
    method: "PUT",
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`PUT ${key}: HTTP ${response.status}`);
}

/** PUTs many objects, six at a time (the Workers runtime's outgoing connection limit). */
export async function putObjects(
  bucket: string,
  objects: Array<{ key: string; body: string | Uint8Array }>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const object = objects[next++]!;
      await putObject(bucket, object.key, object.body);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}
