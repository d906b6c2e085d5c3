/**
 * One task at a time per key, in the order they were asked for: the local stack's way of giving a
 * key the ordering AWS gives it (a job's state events to job-state, the conditional writes of one S3
 * key). `tails` holds each key's last task while one is pending, so a caller can tell when none is.
 */
export function runAfterPrevious(
  tails: Map<string, Promise<unknown>>,
  key: string,
  task: () => Promise<void>,
): Promise<void> {
  // The tail never rejects, so the next task starts when this one ends, whether it succeeded or failed.
  const run = (tails.get(key) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
