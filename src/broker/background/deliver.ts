// One push: POST the task as JSON to the queue's pushUrl, signed when a secret is set, and turn the
// answer into a report. 2xx is success; any other status, a connection error or a timeout is a
// failure with that reason (retried by the queue's policy like any failed task). It connects only
// where the push guard allows (SSRF), follows no redirect and reads at most 64 KiB of the answer.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Report, WorkTask } from '../../model.js';

const REASON_BODY_CHARS = 300;
const RESULT_MAX_CHARS = 64 * 1024;
/** A receiver's answer is read this far and no further (a huge answer must not fill our memory). */
const ANSWER_MAX_BYTES = 64 * 1024;

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
    ...(t.traceparent ? { traceparent: t.traceparent } : {}),
  });
}

/** What a delivery may connect to (src/security/push-targets.ts). */
export interface PushGuard {
  lookup: LookupFunction;
  allowsLiteral(host: string): boolean;
}

export async function deliver(t: WorkTask, url: string, opts: { timeoutMs: number; secret: string | null; nowMs: number; guard: PushGuard }): Promise<{ outcome: PushOutcome; report: Report }> {
  const body = pushBody(t);
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': 'switchyard-push', 'content-length': String(Buffer.byteLength(body)),
    // Queue names may hold any character; header values must be plain text.
    'switchyard-task-id': t.taskId, 'switchyard-queue': encodeURIComponent(t.queue),
    'switchyard-event-id': t.eventId, 'switchyard-attempt': String(t.attempts),
    // The publish's trace goes on to the receiver, as a traced HTTP call would carry it.
    ...(t.traceparent ? { traceparent: t.traceparent } : {}),
  };
  if (opts.secret !== null) {
    const timestamp = Math.floor(opts.nowMs / 1000);
    headers['switchyard-timestamp'] = String(timestamp);
    headers['switchyard-signature'] = pushSignature(opts.secret, timestamp, body);
  }
  // Reasons name the receiver by origin only: a URL's path or query often carries a token.
  const target = new URL(url);
  const fail = (outcome: PushOutcome, why: string) => ({ outcome, report: { taskId: t.taskId, state: 'fail' as const, failReason: `push to ${target.origin} ${why}` } });
  if (!opts.guard.allowsLiteral(target.hostname)) return fail('connection_error', 'refused: an internal address not in SWITCHYARD_PUSH_ALLOW');
  let answer: { status: number; text: string };
  try {
    answer = await post(target, headers, body, opts.timeoutMs, opts.guard.lookup);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.name === 'TimeoutError') return fail('timeout', `got no answer within ${opts.timeoutMs / 1000} s`);
    return fail('connection_error', `failed: ${err.code === 'PUSH_TARGET_FORBIDDEN' ? 'refused: an internal address not in SWITCHYARD_PUSH_ALLOW' : err.code ?? err.message}`);
  }
  const { status, text } = answer;
  if (status < 200 || status > 299) return fail('http_error', `answered HTTP ${status}${text ? `: ${text.slice(0, REASON_BODY_CHARS)}` : ''}`);
  let result: unknown = null;
  if (text && text.length <= RESULT_MAX_CHARS) {
    try { result = JSON.parse(text); } catch { result = null; }
  }
  return { outcome: 'success', report: { taskId: t.taskId, state: 'success', ...(result !== null ? { result } : {}) } };
}

/** One POST: no redirects followed, connected only where lookup allows, the answer read up to
 *  ANSWER_MAX_BYTES (the rest is dropped with the connection), all within timeoutMs. */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, lookup: LookupFunction): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, { method: 'POST', headers, lookup, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= ANSWER_MAX_BYTES) return;
        chunks.push(c.subarray(0, ANSWER_MAX_BYTES - size));
        size += c.length;
        if (size >= ANSWER_MAX_BYTES) { done(); res.destroy(); }
      });
      res.on('end', done);
      res.on('error', (e) => (size >= ANSWER_MAX_BYTES ? done() : fail(e)));
      let settled = false;
      function done() {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      }
    });
    const fail = (e: Error) => { clearTimeout(timer); reject(e); };
    const timer = setTimeout(() => { req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })); }, timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}
