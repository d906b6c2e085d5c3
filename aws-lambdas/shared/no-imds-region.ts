/**
 * What the Lambda bundles load in place of the SDK's region lookup in the EC2 instance metadata
 * service (@smithy/core config getInstanceMetadataRegion; aws-lambdas/build-plugins.ts imdsFreeRegion
 * swaps it in, the sources and the tests keep the SDK's). The SDK asks IMDS for a region only when it
 * has none: as the region setting's last fallback (after the client's own `region`, which every
 * function passes, and `AWS_REGION`), and in the "auto" defaults mode when `AWS_EXECUTION_ENV` or
 * the region is unset. Lambda always sets both as reserved variables
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and a Lambda has no instance metadata service, where the SDK's lookup ends in `undefined` anyway
 * (after a request that cannot succeed). The answer here is that `undefined`, without the request:
 * 1.2 KiB minified of IMDS client code less in each function.
 */
export async function getInstanceMetadataRegion(): Promise<string | undefined> {
  return undefined;
}
