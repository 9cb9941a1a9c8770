// Who may call what: every route's role, and the queues a request touches, decided here once for
// the express routes and the fast path alike (gate.ts applies it).
import type { Role } from '../model.js';

/** What a request needs: nothing (open), or a role, and maybe the queues it touches. */
export type Need = { open: true } | { open: false; role: Role; queues?: string[]; everyQueue?: true };

/** The API's routes that are not plain reads, and who may call them; admin may call everything. */
export const ROLE_OF: Readonly<Record<string, Role>> = {
  'PUT /task': 'publish', 'PUT /tasks': 'publish', 'POST /interest/dry-run': 'publish',
  'PUT /worker': 'work', 'DELETE /worker': 'work', 'GET /task': 'work', 'POST /task': 'work', 'POST /tasks': 'work',
  // The whole state, token hashes and push targets included.
  'GET /export': 'admin',
  // Stores nothing, but answers with other publishers' events from the sample.
  'POST /interest/what-if': 'read',
};

/** Routes that answer events of no queue in particular (the sample, unrouted events): a token
 *  limited to some queues may not read them. */
const EVERY_QUEUE = new Set(['POST /interest/what-if', 'GET /unrouted']);

/** The reads that answer stored data; any other GET is the page's own files (or a 404), open to all. */
const API_READS = new Set(['/status', '/failed', '/throughput', '/schedule', '/queue/tasks', '/metrics', '/token', '/audit', '/interest/history', '/tap', '/unrouted']);

/** Reads that hand out tasks' payloads: a queue-limited read token must name one of its queues. */
const TASK_READS = new Set(['/queue/tasks', '/failed', '/tap']);

export function needOf(method: string, path: string, query: Record<string, unknown>, body: unknown): Need {
  if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) return { open: true };
  const key = `${method === 'HEAD' ? 'GET' : method} ${path}`;
  const role = ROLE_OF[key];
  if (role === 'work' && key === 'PUT /worker') return { open: false, role, queues: workerQueues(body) };
  if (EVERY_QUEUE.has(key)) return { open: false, role: role ?? 'read', everyQueue: true };
  if (role) return { open: false, role };
  if (method === 'GET' || method === 'HEAD') {
    if (path === '/token' || path === '/audit') return { open: false, role: 'admin' };
    // /whoami and the page's files: open, so the page can load and ask for a token.
    if (!API_READS.has(path)) return { open: true };
    if (TASK_READS.has(path) || (path === '/status' && (query.task !== undefined || query.failedQueue !== undefined))) {
      return { open: false, role: 'read', queues: typeof query.queue === 'string' ? [query.queue] : [] };
    }
    return { open: false, role: 'read' };
  }
  return { open: false, role: 'admin' };
}

function workerQueues(body: unknown): string[] {
  const q = (body as { queues?: unknown } | undefined)?.queues;
  const list = typeof q === 'string' ? q.split(',') : Array.isArray(q) ? q : [];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.trim());
}

/** Why a token with this role and these queues may not do what need asks, or null when it may. */
export function refusal(token: { role: Role; queues: string[] | null }, need: Need): string | null {
  if (need.open || token.role === 'admin') return null;
  if (token.role !== need.role) return `this needs a ${need.role} or admin token; yours is ${token.role}`;
  if (token.queues !== null && need.everyQueue) return `this answers events of every queue; your token is limited to the queues ${token.queues.join(', ')}`;
  if (token.queues === null || need.queues === undefined) return null;
  if (need.queues.length === 0) return `your token is limited to the queues ${token.queues.join(', ')}: name one (queue=)`;
  const outside = need.queues.filter((q) => !token.queues!.includes(q));
  return outside.length ? `your token is limited to the queues ${token.queues.join(', ')}; not ${outside.join(', ')}` : null;
}
