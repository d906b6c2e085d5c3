/**
 * What submit-job sends to MediaConvert's CreateJob and reads from its answer, as values built by the
 * function's own code. The bundle's schema of the operation keeps only the members these set
 * (aws-lambdas/schema-pruning.ts): a member submit-job sends but no sample sets would be left out of
 * the request. So every optional part of buildCreateJobRequest's output is set here, and the answer
 * holds what submitClaimed and recordedOutput read (the job id and the HLS group's destination and
 * key, all within the settings we send). test/lambdas/bundles.test.ts compares the built function's
 * request with the full SDK's.
 */
import type { CreateJobCommandInput, CreateJobCommandOutput } from "@aws-sdk/client-mediaconvert";
import { HLS_LADDER } from "../../model/ladder.ts";
import { buildCreateJobRequest, type JobRequestInput } from "./mediaconvert-settings.ts";

/**
 * A request input with every option set. `Required` makes the type checker insist: an option added to
 * JobRequestInput (or its mediaConvert part) must be set here, so the members it sends are kept.
 */
const EVERY_OPTION: Required<Omit<JobRequestInput, "mediaConvert">> & {
  mediaConvert: Required<JobRequestInput["mediaConvert"]>;
} = {
  input: { bucket: "uploads", key: "movie.mp4" },
  outputBucket: "outputs",
  mediaConvert: { role: "arn:aws:iam::111122223333:role/MediaConvert", jobTemplate: "template", queue: "queue" },
  keyHex: "00112233445566778899aabbccddeeff",
  clientRequestToken: "token",
  now: new Date(0),
  // The captures the function makes (the ladder's); null only when the ladder has none.
  frameCaptures: HLS_LADDER.frameCaptures ?? null,
};

/** Input and output values of CreateJob, with every member submit-job may send or read set. */
export function createJobSamples(): { input: CreateJobCommandInput; output: Pick<CreateJobCommandOutput, "Job"> }[] {
  const { request } = buildCreateJobRequest(EVERY_OPTION);
  return [{ input: request, output: { Job: { Id: "job", Role: request.Role!, Settings: request.Settings! } } }];
}
