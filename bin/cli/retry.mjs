// A one-shot command (publish, status, failed) retries an unreachable or restarting broker this
// long, not the 30 s a worker waits out.
export const ONE_SHOT_RETRY_MS = 3000;
