// How long a started task is leased: the queue's leaseSeconds, else the broker's default.
export function leaseMs(queueLeaseSeconds: number | null, defaultLeaseSeconds: number): number {
  return Math.round((queueLeaseSeconds ?? defaultLeaseSeconds) * 1000);
}
