// One broker, over HTTP: JSON in and out, the token as a bearer header, errors as SwitchyardError,
// and the retries a client needs (a restarting broker, a 503, a dropped connection) with backoff.
import { SwitchyardError, UnreachableError, isTransient } from './errors.js';

export interface ConnectionOptions {
  /** The broker's URL; SWITCHYARD_URL, else http://127.0.0.1:8080. */
  url?: string;
  /** A bearer token; SWITCHYARD_TOKEN when not given. */
  token?: string;
  /** How long transient failures are retried before the error is thrown (30 s). */
  retryForMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** A body that is not JSON (POST /import's JSON lines), sent as it is. */
  text?: { type: string; body: string };
  signal?: AbortSignal;
  /** false: one attempt (not safe to repeat); a number: retry for that long; default: retryForMs. */
  retry?: false | number;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

export class Connection {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly retryForMs: number;

  constructor(opts: ConnectionOptions = {}) {
    this.url = (opts.url ?? process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.token = opts.token ?? process.env.SWITCHYARD_TOKEN;
    this.retryForMs = opts.retryForMs ?? 30_000;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const until = Date.now() + (opts.retry === false ? 0 : opts.retry ?? this.retryForMs);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts);
      } catch (e) {
        if (opts.signal?.aborted || !isTransient(e) || Date.now() >= until) throw e;
        // Exponential with jitter, 100 ms to 5 s: a restarting broker is back within seconds.
        const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
        const retryAfter = e instanceof SwitchyardError && e.status === 429 ? 1000 : 0;
        await sleep(Math.min(Math.max(delay, retryAfter), Math.max(0, until - Date.now())), opts.signal);
      }
    }
  }

  private async once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const headers = this.authHeaders();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.text) headers['content-type'] = opts.text.type;
    const body = opts.text?.body ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(method, path, qs, { headers, body, signal: opts.signal });
      text = await res.text();
    } catch (e) {
      throw this.unreachable(e, opts.signal);
    }
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    if (!res.ok) throw refusal(method, path, res.status, json);
    return (json ?? text) as T;
  }

  /** A GET answered with JSON lines (GET /export), a line at a time as they arrive; one attempt. */
  async *lines(path: string, signal?: AbortSignal): AsyncGenerator<string> {
    const headers = this.authHeaders();
    let res: Response;
    try {
      res = await this.fetch('GET', path, new URLSearchParams(), { headers, signal });
    } catch (e) {
      throw this.unreachable(e, signal);
    }
    if (!res.ok || !res.body) {
      const text = await res.text();
      let json: unknown;
      try { json = JSON.parse(text); } catch { json = undefined; }
      throw refusal('GET', path, res.status, json);
    }
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
        rest = lines.pop()!;
        yield* lines.filter((l) => l !== '');
      }
    } catch (e) {
      throw this.unreachable(e, signal);
    }
    if (rest !== '') yield rest;
  }

  private fetch(method: string, path: string, qs: URLSearchParams, init: { headers: Record<string, string>; body?: string; signal?: AbortSignal | undefined }): Promise<Response> {
    return fetch(`${this.url}${path}${qs.size ? `?${qs}` : ''}`, { method, headers: init.headers, body: init.body, ...(init.signal ? { signal: init.signal } : {}) });
  }

  private authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  private unreachable(e: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted) return e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return new UnreachableError(`cannot reach ${this.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { cause: e });
  }
}

function refusal(method: string, path: string, status: number, json: unknown): SwitchyardError {
  const e = json as { error?: string; code?: string; details?: unknown[] } | undefined;
  return new SwitchyardError(e?.error ?? `${method} ${path} answered ${status}`, status, e?.code ?? 'http_error', e?.details ?? []);
}
