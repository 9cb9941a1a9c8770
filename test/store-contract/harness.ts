// What every area of the Store contract shares: fixed times and rules, an event maker, and the kit
// each area's tests run with (the store under test, a test() that skips without one, two helpers).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewEvent, Store, TransitionRules, RouteInfo, PublishedEvent, WorkTask } from '../../src/store/store.js';

export const T0 = 1_800_000_000_000;
export const RULES: TransitionRules = {
  defaultLeaseSeconds: 60,
  backoffJitter: 0,
};
export const ROUTE: RouteInfo = { revision: 1, interest: { field: 'type', keyPattern: 'type', valuePattern: 'x' } };

export function ev(queues: string[], over: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(), publisher: 'contract', data: { n: Math.random() }, runAtMs: T0, priority: 0, scope: 'any',
    singularlyEnqueue: false, singularlyRun: false, uniqueKey: null, maxAttempts: null, idempotency: null, traceparent: null, pushUrl: null,
    routes: queues.map((queue) => ({ queue, route: ROUTE })), ...over,
  };
}

export interface Kit {
  /** The store of the running test (each test opens a fresh one). */
  store: Store;
  test: (title: string, fn: () => Promise<void>) => void;
  publish: (queues: string[], over?: Partial<NewEvent>, nowMs?: number) => Promise<PublishedEvent>;
  claim: (workerId: string, count?: number, nowMs?: number) => Promise<WorkTask[]>;
  /** A task that failed its only attempt in queue, with that reason and data: its id. */
  failInto: (queue: string, reason: string, data: Record<string, unknown>) => Promise<string>;
  /** What the driver holds of one event, read beside the store: payloads stored (shared or in a
   *  copy), copies, and records of any kind (copies, a shared payload, the event's own record). */
  stored: (eventId: string) => Promise<StoredEvent>;
}

export interface StoredEvent { payloads: number; copies: number; records: number }
/** Reads what a driver holds of an event from its storage directly (each driver's test file has one). */
export type StoredProbe = (store: Store, eventId: string) => Promise<StoredEvent>;

/** A kit over the store current() returns; store forwards to it, so area files read `store.x()`. */
export function kit(current: () => Store, skipped: () => string | null, probe: StoredProbe): Kit {
  const store = new Proxy({} as Store, {
    get: (_, method) => {
      const s = current() as unknown as Record<string | symbol, unknown>;
      const v = s[method];
      return typeof v === 'function' ? v.bind(s) : v;
    },
  });
  const publish: Kit['publish'] = async (queues, over = {}, nowMs = T0) => {
    const r = await store.publishEvents([ev(queues, over)], nowMs);
    assert.equal(r.outcome, 'ok');
    return r.outcome === 'ok' ? r.events[0]! : assert.fail('not published');
  };
  const claim: Kit['claim'] = async (workerId, count = 1, nowMs = T0) => {
    const r = await store.claimTasks(workerId, count, nowMs, RULES);
    assert.equal(r.outcome, 'ok');
    return r.outcome === 'ok' ? r.tasks : [];
  };
  const failInto: Kit['failInto'] = async (queue, reason, data) => {
    await store.updateQueuePolicy(queue, { maxAttempts: 1 }, T0);
    await publish([queue], { data });
    const w = await store.registerWorker('f', [queue], T0);
    const [t] = await claim(w.workerId);
    await store.failTasks(w.workerId, [{ taskId: t!.taskId, failReason: reason }], T0, RULES);
    await store.removeWorkers({ workerId: w.workerId }, T0);
    return t!.taskId;
  };
  const test: Kit['test'] = (title, fn) => it(title, async (t) => {
    const reason = skipped();
    if (reason !== null) { t.skip(`skipped: ${reason}`); return; }
    await fn();
  });
  return { store, test, publish, claim, failInto, stored: (eventId) => probe(current(), eventId) };
}
