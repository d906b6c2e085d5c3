/**
 * The credential provider the Lambda bundles use in place of `@aws-sdk/credential-provider-node`
 * (aws-lambdas/build.ts swaps the module at bundle time; the source and the tests keep the SDK's).
 *
 * The Lambda runtime hands a function its execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and the local stack sets the same variables. The SDK's default Node chain also bundles the SSO,
 * ini-file, process, web-identity, login, container and IMDS providers and the STS/SSO clients they
 * use (about 100 KiB minified, a third of each bundle), none of which a function ever reaches.
 * Same export name and call shape as the chain's (`defaultProvider(init)` returns a provider).
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
