/**
 * Why the Lambda bundles may drop the regions' descriptions from the SDK's partition data
 * (aws-lambdas/build-plugins.ts partitionsWithoutDescriptions): the endpoint rule sets of the
 * clients the functions use never read one, and every region still resolves to the same partition.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { partition, setPartitionInfo, useDefaultPartitionInfo } from "@aws-sdk/core/client";
import { afterAll, describe, expect, it } from "vitest";
import { withoutRegionDescriptions } from "../../aws-lambdas/build-plugins.ts";

const NODE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));
const CLIENTS = ["s3", "dynamodb", "sqs", "mediaconvert", "rekognition", "secrets-manager"];
const PARTITIONS = join(NODE_MODULES, "@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js");

interface PartitionsInfo {
  partitions: Array<{ id: string; regions: Record<string, Record<string, unknown>> }>;
}

afterAll(() => useDefaultPartitionInfo());

describe("the partition data in the Lambdas", () => {
  it("no endpoint rule set of the functions' clients reads a region's description", () => {
    for (const client of CLIENTS) {
      const dir = join(NODE_MODULES, `@aws-sdk/client-${client}/dist-es/endpoint`);
      const files = readdirSync(dir).filter((file) => file.endsWith(".js"));
      expect(files, client).toContain("endpointResolver.js");
      for (const file of files)
        expect(readFileSync(join(dir, file), "utf8"), `${client} ${file}`).not.toMatch(/description/);
    }
  });

  it("every region resolves to the same partition, less its description", async () => {
    const source = readFileSync(PARTITIONS, "utf8");
    const written = withoutRegionDescriptions(source);
    expect(written).not.toMatch(/description/);
    const original = ((await import(pathToFileURL(PARTITIONS).href)) as { partitionsInfo: PartitionsInfo })
      .partitionsInfo;
    const stripped = (
      (await import(`data:text/javascript,${encodeURIComponent(written)}`)) as { partitionsInfo: PartitionsInfo }
    ).partitionsInfo;
    const regions = original.partitions.flatMap((p) => Object.keys(p.regions));
    expect(regions.length).toBeGreaterThan(30);
    for (const region of [...regions, "us-west-9", "eu-nowhere-1", "nowhere"]) {
      useDefaultPartitionInfo();
      const { description, ...expected } = partition(region) as unknown as Record<string, unknown>;
      expect(typeof description === "string" || description === undefined, region).toBe(true);
      setPartitionInfo(stripped as never);
      expect(partition(region), region).toEqual(expected);
    }
  });
});
