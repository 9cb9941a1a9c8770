// `switchyard token create|list|delete`: tokens over the HTTP API (an admin token in
// SWITCHYARD_TOKEN, or SWITCHYARD_ADMIN_TOKEN; the broker at SWITCHYARD_URL, default
// http://127.0.0.1:8080). Prints the API's JSON answer; an error prints its sentence and exits 1.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';

const USAGE = `usage:
  switchyard token create --role admin|publish|work|read [--name NAME] [--queues a,b]
  switchyard token list
  switchyard token delete --name NAME
env: SWITCHYARD_URL (default http://127.0.0.1:8080), SWITCHYARD_TOKEN or SWITCHYARD_ADMIN_TOKEN (an admin token)`;

export async function tokenCommand(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { name: { type: 'string' }, role: { type: 'string' }, queues: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    return fail(`${e.message}\n${USAGE}`);
  }
  const { values: o, positionals: [action] } = parsed;
  if (o.help || !action) return fail(USAGE, o.help ? 0 : 2);
  const base = (process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const secret = process.env.SWITCHYARD_TOKEN ?? process.env.SWITCHYARD_ADMIN_TOKEN;
  const call = async (method, path, body) => {
    let res;
    try {
      res = await fetch(base + path, {
        method,
        headers: { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      return fail(`cannot reach ${base}: ${e.cause?.code ?? e.message}`);
    }
    const text = await res.text();
    if (!res.ok) return fail(`${res.status} ${(() => { try { return JSON.parse(text).error; } catch { return text; } })()}`);
    process.stdout.write(`${text}\n`);
    return 0;
  };
  switch (action) {
    case 'create': {
      if (!o.role) return fail(`--role is required\n${USAGE}`, 2);
      const queues = o.queues?.split(',').map((q) => q.trim()).filter(Boolean);
      const name = o.name ?? `${o.role}-${randomBytes(3).toString('hex')}`;
      return call('PUT', '/token', { name, role: o.role, ...(queues?.length ? { queues } : {}) });
    }
    case 'list': return call('GET', '/token');
    case 'delete':
      if (!o.name) return fail(`--name is required\n${USAGE}`, 2);
      return call('DELETE', `/token?name=${encodeURIComponent(o.name)}`);
    default: return fail(`unknown action ${action}\n${USAGE}`, 2);
  }
}

function fail(message, code = 1) {
  process.stderr.write(`${code === 0 ? '' : 'switchyard: '}${message}\n`);
  return code;
}
