/**
 * Turns CloudFormation intrinsics in a synthesized template into the plain strings they would become
 * in a deployment, so a Lambda's environment can be handed to that Lambda's own config reader.
 * Covers what this stack uses: Ref and Fn::GetAtt of buckets, tables, topics, queues, roles, users, log groups,
 * job templates, pseudo parameters, and Fn::Join.
 */
export const ACCOUNT = "123456789012";
export const REGION = "ap-northeast-1";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** A deterministic physical name for a logical id: lowercase, S3-safe. */
function physicalName(logicalId: string): string {
  return `media-edge-${logicalId.toLowerCase()}`.slice(0, 63);
}

function ref(resources: Resources, id: string): string {
  if (id === "AWS::Region") return REGION;
  if (id === "AWS::AccountId") return ACCOUNT;
  if (id === "AWS::Partition") return "aws";
  if (id === "AWS::URLSuffix") return "amazonaws.com";
  const resource = resources[id];
  if (!resource) throw new Error(`Ref to unknown resource ${id}`);
  const explicit = (name: string) => (resource.Properties?.[name] as string | undefined) ?? physicalName(id);
  switch (resource.Type) {
    case "AWS::S3::Bucket":
      return explicit("BucketName");
    case "AWS::DynamoDB::Table":
      return explicit("TableName");
    case "AWS::SNS::Topic":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${explicit("TopicName")}`;
    case "AWS::SQS::Queue":
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName(id)}`;
    case "AWS::MediaConvert::JobTemplate":
      return explicit("Name");
    case "AWS::IAM::User":
    case "AWS::IAM::Role":
      return explicit(resource.Type === "AWS::IAM::User" ? "UserName" : "RoleName");
    default:
      return physicalName(id);
  }
}

function getAtt(resources: Resources, id: string, attribute: string): string {
  const resource = resources[id];
  if (!resource) throw new Error(`GetAtt of unknown resource ${id}`);
  const name = ref(resources, id);
  if (attribute === "Arn") {
    switch (resource.Type) {
      case "AWS::IAM::Role":
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case "AWS::S3::Bucket":
        return `arn:aws:s3:::${name}`;
      case "AWS::DynamoDB::Table":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case "AWS::SQS::Queue":
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${physicalName(id)}`;
      case "AWS::Lambda::Function":
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physicalName(id)}`;
      case "AWS::MediaConvert::JobTemplate":
        return `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobTemplates/${ref(resources, id)}`;
      case "AWS::Logs::LogGroup":
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName(id)}:*`;
    }
  }
  if (attribute === "Name" && resource.Type === "AWS::MediaConvert::JobTemplate") return name;
  throw new Error(`GetAtt ${id}.${attribute} (${resource.Type}) is not modelled`);
}

/** The plain string an intrinsic (or a literal) resolves to. */
export function resolveValue(resources: Resources, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    const [fn, args] = entries[0] ?? [];
    if (entries.length === 1 && fn === "Ref") return ref(resources, args as string);
    if (entries.length === 1 && fn === "Fn::GetAtt") {
      const [id, attribute] = args as [string, string];
      return getAtt(resources, id, attribute);
    }
    if (entries.length === 1 && fn === "Fn::Join") {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => resolveValue(resources, part)).join(separator);
    }
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
}

/** A Lambda's Environment.Variables with every value resolved. */
export function resolvedEnvironment(resources: Resources, functionLogicalId: string): Record<string, string> {
  const fn = resources[functionLogicalId];
  const variables = ((fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolveValue(resources, value)]));
}
