// What the SDK throws: the broker's refusal with its code, status and details, as the API says it.
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  constructor(message: string, readonly status: number, readonly code: string, readonly details: unknown[] = []) {
    super(message);
  }
}

/** The broker could not be reached, or the connection dropped before it answered. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** Whether an error is worth the same request again later: the broker or the network was away. */
export function isTransient(e: unknown): boolean {
  if (e instanceof SwitchyardError) return e.status === 503 || e.status === 502 || e.status === 504 || e.status === 429;
  return e instanceof UnreachableError;
}
