// The page's router: every view has a URL (#/queue/<name>?state=failed) so it can be bookmarked and
// linked. The current view refreshes every 2 s while the tab is visible, never while it is hidden.
import { h, replace, notify } from './dom.js';
import { api, qs, token } from './api.js';
import * as overview from './views/overview.js';
import * as queue from './views/queue.js';
import * as task from './views/task.js';
import * as workers from './views/workers.js';
import * as failed from './views/failed.js';
import * as interests from './views/interests.js';
import * as schedules from './views/schedules.js';
import * as publish from './views/publish.js';
import * as audit from './views/audit.js';
import * as tokens from './views/tokens.js';
import * as live from './views/live.js';
import * as unrouted from './views/unrouted.js';

const VIEWS = { '': overview, queue, task, workers, failed, interests, schedules, publish, audit, tokens, live, unrouted };
const REFRESH_MS = 2000;

let current = null;
let timer = null;
let busy = false;

/** '#/queue/a%2Fb?state=ready' → { name: 'queue', arg: 'a/b', query: URLSearchParams } */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  const [name = '', ...rest] = path.split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : '';
  return { name, arg, query: new URLSearchParams(search) };
}

/** Changes the URL's query (paging, filters, tabs): the view re-renders from the URL. */
function go(params, name, arg) {
  const r = parseHash();
  const path = `#/${name ?? r.name}${(arg ?? r.arg) ? `/${encodeURIComponent(arg ?? r.arg)}` : ''}`;
  location.hash = path + qs(params);
}

async function tick() {
  if (busy || document.hidden || !current?.refresh) return;
  busy = true;
  try {
    await current.refresh();
    document.getElementById('live').textContent = `live · ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    document.getElementById('live').textContent = `not updating: ${e.message}`;
  } finally {
    busy = false;
  }
}

/** Who is asking, from /whoami: the page needs a token when the broker is not open and it has none. */
async function whoami() {
  try {
    return await api('GET', '/whoami');
  } catch (e) {
    // A refused token is forgotten at once; the sign-in form then says it was refused.
    if (e.status === 401) { token.clear(); return { ...await api('GET', '/whoami'), refused: true }; }
    throw e;
  }
}

/** What the controls may do: admin (or open) everything, publish its forms, read and work nothing. */
const MAY = { admin: 'all', publish: 'publish', read: 'none', work: 'none' };

function signIn(root, refused) {
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true });
  replace(root, h('h1', {}, 'Sign in'),
    h('p', {}, 'This broker needs a token. It is kept for this tab only and sent with each request.'),
    refused ? h('p', { role: 'alert' }, 'That token was not accepted: it is wrong, revoked or expired.') : null,
    h('form', { class: 'row', 'aria-label': 'Sign in', onsubmit: (e) => {
      e.preventDefault();
      token.set(input.value.trim());
      show();
    } }, h('label', { for: 'token' }, 'Token '), input, h('button', { type: 'submit', class: 'look' }, 'Sign in')));
  input.focus();
}

async function show() {
  const me = await whoami();
  const who = document.getElementById('who');
  document.body.dataset.may = me.open ? 'all' : MAY[me.role] ?? 'none';
  const root0 = document.getElementById('view');
  if (!me.open && !me.role) {
    document.body.dataset.may = 'all';
    current?.destroy?.();
    current = null;
    replace(who);
    signIn(root0, me.refused);
    return;
  }
  replace(who, me.open ? '' : `signed in as ${me.name} (${me.role}${me.queues ? `: ${me.queues.join(', ')}` : ''})`,
    me.open ? null : h('button', { type: 'button', class: 'secondary look', onclick: () => { token.clear(); show(); } }, 'Sign out'));
  const r = parseHash();
  const view = VIEWS[r.name];
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.view === (r.name || 'overview')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current?.destroy?.();
  current = null;
  const root = document.getElementById('view');
  if (!view) {
    replace(root, h('h1', {}, 'Not found'), h('p', {}, 'No view here. ', h('a', { href: '#/' }, 'Go to the overview.')));
    return;
  }
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    current = await view.render(root, { arg: r.arg, query: r.query, go });
    await tick();
  } catch (e) {
    replace(root, h('h1', {}, 'Could not load this view'), h('p', { class: 'bad' }, e.message));
  }
}

window.addEventListener('hashchange', () => { show(); document.getElementById('view').focus({ preventScroll: true }); });
document.addEventListener('visibilitychange', () => { if (!document.hidden) tick(); });
window.addEventListener('unhandledrejection', (e) => notify(e.reason?.message ?? String(e.reason), 'error'));
timer = setInterval(tick, REFRESH_MS);
show();
export { timer };
