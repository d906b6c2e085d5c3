/**
 * AWS SDK v3 clients shared by the Lambdas, built once at module scope by each handler module (so
 * connections are reused across warm invocations) and passed to the code that uses them.
 * https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html ("initialize SDK clients outside the handler")
 *
 * With `DYNAMODB_ENDPOINT` / `S3_ENDPOINT` set (local stack, tests) they talk to DynamoDB Local
 * and the local S3 server instead of AWS. S3 is reached without the S3 client (s3-objects.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { fromEnv } from "@aws-sdk/credential-provider-env";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { s3Location } from "../../worker/aws/s3-url.ts";
import type { AwsEndpoints } from "./config.ts";
import { createS3Objects, createS3Writer, type S3Objects, type S3ObjectsOptions, type S3Writer } from "./s3-objects.ts";

/**
 * A DynamoDB document client (plain JS values in and out). `removeUndefinedValues` so optional
 * fields can be passed as `undefined` instead of being filtered by hand.
 */
export function createDocumentClient(endpoints: AwsEndpoints): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: endpoints.region,
    ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Where and as whom the Lambdas' S3 requests go (s3-objects.ts says why they do without the S3
 * client): the function's region, or the local server; credentials from the environment, where
 * Lambda puts the execution role's (and the local stack the local server's).
 */
function s3Options(endpoints: AwsEndpoints): S3ObjectsOptions {
  return { region: endpoints.region, location: s3Location(endpoints.region, endpoints.s3), credentials: fromEnv() };
}

/** PutObject alone, for the functions that only write objects (job-state, faces-collect). */
export function createObjectWriter(endpoints: AwsEndpoints): S3Writer {
  return createS3Writer(s3Options(endpoints));
}

/** Conditional writes, heads, listings and reads (recording-index). */
export function createObjectStore(endpoints: AwsEndpoints): S3Objects {
  return createS3Objects(s3Options(endpoints));
}
