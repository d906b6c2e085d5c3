/**
 * Anchor for `npm run bench`: the plainest Hono + aws4fetch DynamoDB GetItem a Worker can do (one
 * signed POST, JSON.parse, one field out), with none of the product's cache, retries, deadline, log
 * line or CORS. Never deployed; the status miss is compared with it in the same run.
 */
import { AwsClient } from "aws4fetch";
import { Hono } from "hono";

interface Bindings {
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  DYNAMODB_ENDPOINT: string;
  TABLE: string;
}

let client: AwsClient | undefined;

export default new Hono<{ Bindings: Bindings }>().get("/getitem", async (c) => {
  client ??= new AwsClient({
    accessKeyId: c.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: c.env.AWS_SECRET_ACCESS_KEY,
    region: c.env.AWS_REGION,
    service: "dynamodb",
    retries: 0,
  });
  const response = await client.fetch(c.env.DYNAMODB_ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" },
    body: JSON.stringify({ TableName: c.env.TABLE, Key: { JobId: { S: c.req.query("job_id") ?? "" } } }),
  });
  const body = (await response.json()) as { Item?: { JobStatus?: { S?: string } } };
  return c.json({ success: true, job_status: body.Item?.JobStatus?.S });
});
