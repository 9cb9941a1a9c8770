// idempotencyKey, decided the same way by every store: before a batch writes anything, each keyed
// event is either new, a replay of an answer stored earlier (same publisher, key and body, not yet
// expired), a replay of an earlier event in the same batch, or a conflict (same key, other body),
// which stops the whole batch.
import type { NewEvent, PublishedEvent } from './store.js';

export interface IdempotencyRecord { bodyHash: string; answer: PublishedEvent; expiresAtMs: number }

export type IdempotencyPlan =
  | { kind: 'new' }
  | { kind: 'replay'; answer: PublishedEvent }
  | { kind: 'same-as'; index: number };

/** lookup: the live (unexpired) record of this publisher's key, or null. */
export function planIdempotency(events: NewEvent[], lookup: (publisher: string, key: string) => IdempotencyRecord | null):
  { conflict: { index: number; key: string } } | { plans: IdempotencyPlan[] } {
  const inBatch = new Map<string, { bodyHash: string; index: number }>();
  const plans: IdempotencyPlan[] = [];
  for (const [index, ev] of events.entries()) {
    if (!ev.idempotency) { plans.push({ kind: 'new' }); continue; }
    const { key, bodyHash } = ev.idempotency;
    const id = `${ev.publisher}\u0000${key}`;
    const earlier = inBatch.get(id);
    const stored = earlier ? null : lookup(ev.publisher, key);
    const seenHash = earlier?.bodyHash ?? stored?.bodyHash;
    if (seenHash !== undefined && seenHash !== bodyHash) return { conflict: { index, key } };
    if (earlier) plans.push({ kind: 'same-as', index: earlier.index });
    else if (stored) plans.push({ kind: 'replay', answer: stored.answer });
    else { inBatch.set(id, { bodyHash, index }); plans.push({ kind: 'new' }); }
  }
  return { plans };
}

export const replayed = (answer: PublishedEvent): PublishedEvent => ({ ...answer, replayed: true });
