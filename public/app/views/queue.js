// Queue: counts and hold, its tasks by state (paged), pause / resume, policy, purge, delete.
import { h, replace, field, hrefTask, hrefQueue, time, pager, rowsOrEmpty, offsetOf } from '../dom.js';
import { api, qs } from '../api.js';
import { ratesChart } from '../charts.js';
import { act, heldTag, STATES, table } from './common.js';

const PAGE = 50;
const POLICY_FIELDS = [
  ['maxAttempts', 'Max attempts', 'integer', 'attempts before the failed queue'],
  ['backoffSeconds', 'Backoff (s)', 'number', 'first retry waits this, doubling'],
  ['maxBackoffSeconds', 'Max backoff (s)', 'number', null],
  ['leaseSeconds', 'Lease (s)', 'nullable', 'empty: the broker default'],
  ['rateLimit', 'Rate limit (starts/s)', 'nullable', 'empty: none'],
  ['concurrency', 'Concurrency', 'nullable-int', 'empty: none'],
  ['pushUrl', 'Push URL', 'url', 'empty: workers pull'],
  ['pushTimeoutSeconds', 'Push timeout (s)', 'number', null],
  ['pushSecret', 'Push secret', 'secret', null],
  ['allowTaskPushUrl', 'Tasks may name their own target', 'boolean', 'a published task\'s pushUrl; the queue is then pushed'],
];

export async function render(root, { arg: name, query, go }) {
  const state = STATES.includes(query.get('state')) ? query.get('state') : 'ready';
  const offset = offsetOf(query);
  const head = h('div');
  const chartBox = h('div', { class: 'panel' });
  const tasks = h('div');
  const policyForm = h('form', { class: 'row', 'aria-label': 'Queue policy' });
  replace(root,
    h('p', {}, h('a', { href: '#/' }, '← Overview')),
    h('h1', {}, 'Queue ', h('span', { class: 'qname' }, name)),
    head,
    h('h2', {}, 'Rates per minute'), chartBox,
    h('h2', {}, 'Policy'), policyForm,
    h('h2', { id: 'tasks' }, 'Tasks'),
    h('nav', { class: 'tabs', 'aria-label': 'Task states' }, STATES.map((s) =>
      h('a', { href: `${hrefQueue(name)}?state=${s}`, 'aria-current': s === state ? 'page' : null }, s))),
    tasks);
  const chart = ratesChart(chartBox);
  let policyShown = false;

  async function refresh() {
    const [st, page, rates] = await Promise.all([
      api('GET', `/status${qs({ queue: name })}`),
      api('GET', `/queue/tasks${qs({ queue: name, state, limit: PAGE, offset })}`),
      api('GET', `/throughput${qs({ queues: name, minutes: 15 })}`),
    ]);
    const c = st.counts;
    replace(head,
      h('div', { class: 'cards' }, STATES.map((s) => h('div', { class: 'card' }, s, h('b', {}, c[s] ?? 0)))),
      h('div', { class: 'row' },
        st.policy.paused ? h('span', { class: 'tag' }, 'paused') : heldTag(st.heldBy),
        h('button', { type: 'button', onclick: () => setPaused(!st.policy.paused) }, st.policy.paused ? 'Resume' : 'Pause'),
        h('button', { type: 'button', class: 'secondary', onclick: purge }, 'Purge waiting tasks'),
        h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete queue'),
        h('a', { href: `#/failed?queue=${encodeURIComponent(name)}` }, 'Failed tasks of this queue')),
      h('p', {}, 'Interests: ', st.interests === null ? h('span', { class: 'muted' }, 'none (no event is routed here)') : h('code', {}, JSON.stringify(st.interests)),
        ' ', h('a', { href: `#/interests?queue=${encodeURIComponent(name)}` }, 'edit')));
    chart.update(rates.queues[name] ?? []);
    if (!policyShown) { showPolicy(st.policy); policyShown = true; }
    const rows = page.tasks.map((t) => h('tr', {},
      h('td', {}, h('a', { href: hrefTask(t.taskId) }, t.taskId)),
      h('td', {}, t.publisher), h('td', { class: 'num' }, t.priority), h('td', { class: 'num' }, t.attempts),
      h('td', {}, time(t.runAt)), h('td', {}, t.workerId ?? ''), h('td', {}, t.failReason ?? ''),
      h('td', { class: 'hide-narrow' }, h('code', {}, JSON.stringify(t.data).slice(0, 120)))));
    replace(tasks,
      table(['Task', 'Publisher', '#Priority', '#Attempts', 'Due', 'Worker', 'Last reason', 'Data'],
        rowsOrEmpty(rows, 8, `No ${state} tasks.`)),
      pager(page.total, offset, PAGE, (o) => go({ state, offset: o })));
  }

  function showPolicy(policy) {
    const inputs = {};
    const controls = POLICY_FIELDS.map(([key, label, kind, hint]) => {
      if (kind === 'secret') {
        // Never shown back: empty keeps it; "clear" removes it.
        inputs[key] = h('input', { name: key, type: 'password', autocomplete: 'off', size: 14, placeholder: policy.hasPushSecret ? 'set (type to replace)' : 'SWITCHYARD_PUSH_SECRET' });
        inputs.clearSecret = h('input', { type: 'checkbox', name: 'clearSecret' });
        return [field(label, inputs[key], policy.hasPushSecret ? 'a secret is set' : 'none: the broker\'s, if any'),
          policy.hasPushSecret ? h('label', { class: 'inline' }, inputs.clearSecret, 'clear it') : null];
      }
      const v = policy[key];
      if (kind === 'boolean') {
        inputs[key] = h('input', { name: key, type: 'checkbox', checked: v === true });
        return field(label, inputs[key], hint);
      }
      inputs[key] = h('input', { name: key, type: kind === 'url' ? 'url' : 'text', inputmode: kind === 'url' ? null : 'decimal', value: v ?? '', size: kind === 'url' ? 30 : 8 });
      return field(label, inputs[key], hint);
    });
    replace(policyForm, controls, h('button', { type: 'submit' }, 'Save policy'));
    policyForm.onsubmit = async (e) => {
      e.preventDefault();
      const patch = { queue: name };
      for (const [key, , kind] of POLICY_FIELDS) {
        if (kind === 'boolean') { patch[key] = inputs[key].checked; continue; }
        const raw = inputs[key].value.trim();
        if (kind === 'secret') { if (raw) patch[key] = raw; else if (inputs.clearSecret.checked) patch[key] = null; }
        else if (kind === 'url') patch[key] = raw === '' ? null : raw;
        else if (raw === '') { if (kind.startsWith('nullable')) patch[key] = null; }
        else patch[key] = Number(raw);
      }
      const p = await act(() => api('PATCH', '/queue', patch), 'Policy saved.');
      if (p) { showPolicy(p); await refresh(); }
    };
  }

  async function setPaused(paused) {
    await act(() => api('PATCH', '/queue', { queue: name, paused }), paused ? 'Queue paused.' : 'Queue resumed.');
    await refresh();
  }
  // The confirmations name what will be lost now, not what the last refresh saw.
  const countsNow = async () => (await api('GET', `/status${qs({ queue: name })}`)).counts;
  async function purge() {
    const c = await countsNow();
    const n = c.ready + c.scheduled;
    if (!confirm(`Purge queue "${name}"? ${n} waiting task(s) (${c.ready} ready, ${c.scheduled} scheduled) will be deleted for good.`)) return;
    await act(() => api('DELETE', `/queue/tasks${qs({ queue: name })}`), (r) => `Purged ${r.purged} waiting task(s).`);
    await refresh();
  }
  async function remove() {
    const c = await countsNow();
    if (!confirm(`Delete queue "${name}"? Its interests and ${c.ready + c.scheduled} waiting task(s) will be lost. ${c.started} started task(s) finish normally; ${c.failed} failed task(s) stay in the failed queue.`)) return;
    const r = await act(() => api('DELETE', `/queue${qs({ queue: name })}`), (a) => `Queue deleted with ${a.waitingTasksDeleted} waiting task(s).`);
    if (r) location.hash = '#/';
  }

  return { refresh, destroy() { chart.destroy(); } };
}
