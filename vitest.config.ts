import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects, one run:
 * - node:   pure modules, Lambdas (against DynamoDB Local + the S3 server), infra, signing,
 *           and end-to-end tests that drive ffmpeg against a real `wrangler dev`.
 * - worker: the Worker inside workerd (@cloudflare/vitest-plugin), against the same kind of
 *           local servers, whose endpoints reach workerd as bindings.
 * Each project's globalSetup starts its own DynamoDB Local and S3 server on free ports.
 */
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Logs of passing tests are noise; a failing test still shows what it logged.
    silent: "passed-only",
    projects: [
      {
        extends: false,
        test: {
          name: "node",
          environment: "node",
          include: [
            "test/unit/**/*.test.ts",
            "test/lambdas/**/*.test.ts",
            "test/infra/**/*.test.ts",
            "test/e2e/**/*.test.ts",
          ],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/fast-check-seed.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: false,
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "./worker/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...testWorkerBindings,
                DYNAMODB_ENDPOINT: inject("dynamodbEndpoint"),
                S3_ENDPOINT: inject("s3Endpoint"),
                TEST_CHAOS_ENDPOINT: inject("chaosEndpoint"),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

/** Bindings the Worker tests run with, over wrangler.toml's [vars]. Test-only values, not secrets. */
const testWorkerBindings = {
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  ALLOWED_ORIGINS: "https://*.nightonly.com https://app.example.com,http://localhost:3000",
  TOKEN_SECRET: "test-signing-secret-0123456789abcdef",
};
