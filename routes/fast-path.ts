// The hot endpoints without express: PUT /task, PUT /tasks, GET /task, POST /task and POST /tasks with
// plain JSON go straight to the same validators and handlers the express routes use (task.ts). On this
// path express's router, body-parser and response helpers were most of a publish's CPU time. Any other
// request (forms, other types, other paths) is left to express: this answers only what it fully knows.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { BrokerError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { Gate } from '../src/security/gate.js';
import { API_HEADERS } from '../src/security/headers.js';
import { errorAnswer, type Answer } from './answer.js';
import { claimQuery, clientGone, publishBatchBody, publishBody, reportBatchBody, reportBody, type TaskHandlers } from './task.js';

const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

function write(res: ServerResponse, a: Answer): void {
  const text = JSON.stringify(a.body);
  res.writeHead(a.status, { ...API_HEADERS, ...a.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as JSON; undefined when empty. Strict, as express.json is: an object or an array. */
function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  const first = text.trimStart()[0];
  if (first === undefined) return undefined;
  if (first !== '{' && first !== '[') throw new BrokerError('invalid_json', 'the body is not valid JSON: it must be an object or an array');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BrokerError('invalid_json', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

export function fastPath(h: TaskHandlers, opts: { bodyLimitBytes: number; log: Logger; gate: Gate; secure: boolean }) {
  const routes: Record<string, (body: unknown, req: IncomingMessage) => Promise<Answer>> = {
    'PUT /task': (b, req) => h.publish(publishBody.json(b), req.headers.traceparent),
    'PUT /tasks': (b, req) => h.publishBatch(publishBatchBody.json(b), req.headers.traceparent),
    'POST /task': (b) => h.report(reportBody.json(b)),
    'POST /tasks': (b) => h.reportBatch(reportBatchBody.json(b)),
  };

  /** input: the parsed body or query (throws on bad JSON); work answers it. The gate decides first
   *  by role, then (a queue-limited work token) by the queues of the workerId the input names. */
  const answer = (req: IncomingMessage, res: ServerResponse, path: string, input: () => unknown, work: (input: unknown) => Promise<Answer>) => {
    opts.gate.check({ method: req.method!, path, query: {}, body: undefined, headers: req.headers, secure: opts.secure, remote: req.socket.remoteAddress ?? '' })
      .then(async (principal) => {
        const value = input();
        await opts.gate.checkWorker(principal, (value as { workerId?: unknown } | undefined)?.workerId);
        return work(value);
      })
      .then((a) => write(res, a), (e: unknown) => write(res, errorAnswer(e, { method: req.method!, path }, opts.log)));
  };

  /** true when it took the request; false leaves it untouched for express. */
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method === 'GET' && path === '/task') {
      if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) return false;
      answer(req, res, path, () => parseQuery(q === -1 ? '' : url.slice(q + 1)), (query) => h.claim(claimQuery.fields(query as Record<string, unknown>), clientGone(res)));
      return true;
    }
    const route = routes[`${req.method} ${path}`];
    if (!route || q !== -1) return false;
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_TYPE.test(type) || req.headers['content-encoding'] !== undefined) return false;

    const tooLarge = () => {
      res.setHeader('connection', 'close');
      write(res, errorAnswer(new BrokerError('body_too_large', 'the body is larger than the limit (SWITCHYARD_BODY_LIMIT)'), { method: req.method!, path }, opts.log));
      req.resume();
    };
    if (Number(req.headers['content-length'] ?? 0) > opts.bodyLimitBytes) { tooLarge(); return true; }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > opts.bodyLimitBytes) { over = true; tooLarge(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return;
      answer(req, res, path, () => parseBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)), (body) => route(body, req));
    });
    req.on('error', () => { over = true; });
    return true;
  };
}
