// One push: POST the task as JSON to the queue's pushUrl, signed when a secret is set, and turn the
// answer into a report. 2xx is success; any other status, a connection error or a timeout is a
// failure with that reason (retried by the queue's policy like any failed task).
import { createHmac } from 'node:crypto';
import type { Report, WorkTask } from '../../model.js';

const REASON_BODY_CHARS = 300;
const RESULT_MAX_CHARS = 64 * 1024;

export type PushOutcome = 'success' | 'http_error' | 'timeout' | 'connection_error';

/** The signature header's value: HMAC-SHA256 of "<timestamp>.<body>" in hex (README shows how to check it). */
export function pushSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function pushBody(t: WorkTask): string {
  return JSON.stringify({
    taskId: t.taskId, eventId: t.eventId, queue: t.queue, publisher: t.publisher, data: t.data, priority: t.priority,
    attempts: t.attempts, runAt: t.runAtMs / 1000, createdAt: t.createdAtMs / 1000,
    leaseExpiresAt: t.leaseExpiresAtMs === null ? null : t.leaseExpiresAtMs / 1000,
  });
}

export async function deliver(t: WorkTask, url: string, opts: { timeoutMs: number; secret: string | null; nowMs: number }): Promise<{ outcome: PushOutcome; report: Report }> {
  const body = pushBody(t);
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'switchyard-push',
    // Queue names may hold any character; header values must be plain text.
    'switchyard-task-id': t.taskId, 'switchyard-queue': encodeURIComponent(t.queue),
    'switchyard-event-id': t.eventId, 'switchyard-attempt': String(t.attempts),
  };
  if (opts.secret !== null) {
    const timestamp = Math.floor(opts.nowMs / 1000);
    headers['switchyard-timestamp'] = String(timestamp);
    headers['switchyard-signature'] = pushSignature(opts.secret, timestamp, body);
  }
  const fail = (outcome: PushOutcome, why: string) => ({ outcome, report: { taskId: t.taskId, state: 'fail' as const, failReason: `push to ${url} ${why}` } });
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return fail('timeout', `got no answer within ${opts.timeoutMs / 1000} s`);
    return fail('connection_error', `failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
  }
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    const err = e as Error;
    return fail(err.name === 'TimeoutError' ? 'timeout' : 'connection_error', `broke off its answer: ${err.message}`);
  }
  if (res.status < 200 || res.status > 299) return fail('http_error', `answered HTTP ${res.status}${text ? `: ${text.slice(0, REASON_BODY_CHARS)}` : ''}`);
  let result: unknown = null;
  if (text && text.length <= RESULT_MAX_CHARS) {
    try { result = JSON.parse(text); } catch { result = null; }
  }
  return { outcome: 'success', report: { taskId: t.taskId, state: 'success', ...(result !== null ? { result } : {}) } };
}
