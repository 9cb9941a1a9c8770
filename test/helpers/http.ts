// A tiny HTTP client for tests: raw requests to the real server, answers parsed when they are JSON.
import { checkAnswer } from './answer-check.js';
import { rawFetch } from './checked-fetch.js';

export interface Answer<T = any> { status: number; body: T; text: string; headers: Headers }

export interface CallOptions { form?: boolean; raw?: string; contentType?: string; headers?: Record<string, string> }

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let payload: string | undefined;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (body !== undefined && opts.form) {
    payload = new URLSearchParams(body as Record<string, string>).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await rawFetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = undefined;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  checkAnswer(method, path, res.status, parsed, text);
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** Bound to one server (and a token, when given), with the broker's usual steps as one-liners. */
export function client(base: string, token?: string) {
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const c = {
    base,
    call: <T = any>(method: string, path: string, body?: unknown, opts: CallOptions = {}) => call<T>(base, method, path, body, { ...opts, headers: { ...auth, ...opts.headers } }),
    async interest(queue: string, interests: unknown) {
      const r = await c.call('PUT', '/interest', { queue, interests });
      if (r.status !== 200 && r.status !== 201) throw new Error(`PUT /interest ${r.status} ${r.text}`);
      return r.body;
    },
    async worker(queues: string[] | string, name = 'test') {
      const r = await c.call('PUT', '/worker', { queues, name });
      if (r.status !== 201) throw new Error(`PUT /worker ${r.status} ${r.text}`);
      return r.body.workerId as string;
    },
    async publish(data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
      const r = await c.call('PUT', '/task', { publisher: 'test', data, ...extra });
      if (r.status !== 201 && r.status !== 200) throw new Error(`PUT /task ${r.status} ${r.text}`);
      return r.body;
    },
    async take(workerId: string, query = '') {
      const r = await c.call('GET', `/task?workerId=${encodeURIComponent(workerId)}${query}`);
      if (r.status !== 200) throw new Error(`GET /task ${r.status} ${r.text}`);
      return r.body.task ?? null;
    },
    async report(workerId: string, taskId: string, state: string, extra: Record<string, unknown> = {}) {
      return c.call('POST', '/task', { workerId, taskId, state, ...extra });
    },
    async status(query = '') {
      const r = await c.call('GET', `/status${query}`);
      if (r.status !== 200) throw new Error(`GET /status ${r.status} ${r.text}`);
      return r.body;
    },
  };
  return c;
}
