/**
 * Anchor for `npm run bench`: the same GetItem as aws4fetch-getitem.ts written with the AWS SDK v3
 * (@aws-sdk/client-dynamodb, nodejs_compat), the way the seed's Lambda@Edge did it. Never deployed.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { Hono } from "hono";

interface Bindings {
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  DYNAMODB_ENDPOINT: string;
  TABLE: string;
}

let client: DynamoDBClient | undefined;

export default new Hono<{ Bindings: Bindings }>().get("/getitem", async (c) => {
  client ??= new DynamoDBClient({
    region: c.env.AWS_REGION,
    endpoint: c.env.DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: c.env.AWS_ACCESS_KEY_ID, secretAccessKey: c.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
  const output = await client.send(
    new GetItemCommand({ TableName: c.env.TABLE, Key: { JobId: { S: c.req.query("job_id") ?? "" } } }),
  );
  return c.json({ success: true, job_status: output.Item?.JobStatus?.S });
});
