// Every JSON answer a test process receives from a broker on this machine, through any client (the
// SDK, the CLI's library code, a test's own fetch), is checked against the OpenAPI document like
// call()'s answers: fetch is wrapped once per process, and a mismatch fails the test (or suite) that
// received it.
// (call() checks its own answers on the spot, through the unwrapped fetch.)
import { afterEach } from 'node:test';
import { checkAnswer } from './answer-check.js';

export const rawFetch: typeof fetch = globalThis.fetch;

const mismatches: string[] = [];
const checking = new Set<Promise<void>>();
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function check(method: string, url: URL, res: Response): Promise<void> {
  if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) return;
  try {
    const text = await res.text();
    let body: unknown;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
    checkAnswer(method, url.pathname + url.search, res.status, body, text);
  } catch (e) {
    // An answer cut short (the test killed the broker) has nothing to check.
    if (!(e instanceof Error) || /does not match|not an error answer|does not list/.test(e.message)) mismatches.push((e as Error).message);
  }
}

if (!(globalThis.fetch as { checked?: true }).checked) {
  const checked = Object.assign(async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await rawFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    if (LOCAL.has(url.hostname)) {
      const p = check(method, url, res.clone()).finally(() => checking.delete(p));
      checking.add(p);
    }
    return res;
  }, { checked: true as const });
  globalThis.fetch = checked as typeof fetch;
  // Top level: after each test or suite of the file that loaded this.
  afterEach(async () => {
    await Promise.allSettled([...checking]);
    const found = mismatches.splice(0);
    if (found.length) throw new Error(`answers that do not match the OpenAPI document:\n${found.join('\n')}`);
  });
}
