// How long a started task is leased: the queue's leaseSeconds, else the broker's default.
export function leaseMs(queueLeaseSeconds: number | null, defaultLeaseSeconds: number): number {
  return Math.round((queueLeaseSeconds ?? defaultLeaseSeconds) * 1000);
}

/** A push must end before its task's lease does, or another node could deliver the task meanwhile:
 *  it may run until this margin before the lease ends, a second or a quarter of the lease, whichever
 *  is less (a fixed second left a one-second lease no time at all, and every push failed). */
export const pushLeaseMarginMs = (leaseLengthMs: number): number => Math.min(1000, leaseLengthMs / 4);

/** Whether a push about to start should renew its lease first: less than half of what a fresh lease
 *  would give it is left (the claim took long: a slow store, a node just started), and the task
 *  should not be charged an attempt the broker's own delay cut short. */
export const pushNeedsFreshLease = (untilDeadlineMs: number, leaseLengthMs: number): boolean =>
  untilDeadlineMs < (leaseLengthMs - pushLeaseMarginMs(leaseLengthMs)) / 2;
