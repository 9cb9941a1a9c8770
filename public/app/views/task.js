// Task: payload, state, history (every attempt), result, why it was routed here; cancel, retry now
// (a failed task, optionally with an edited payload or into another queue).
import { h, replace, field, hrefQueue, time, pretty, jsonOf } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';

function routeText(route) {
  if (!route) return h('span', { class: 'muted' }, 'no route recorded (a retry into this queue, or a re-enqueued copy)');
  const i = route.interest;
  if (i === '*') return h('span', {}, 'the queue\'s interest is "*" (every event)');
  if (i === 'direct') return h('span', {}, 'published straight into this queue (no interest asked)');
  if ('clause' in i) return h('span', {}, `clause ${i.clause} matched: `, h('code', {}, JSON.stringify(i.conditions)), ` (interests revision ${route.revision})`);
  return h('span', {}, 'field ', h('code', {}, i.field), ' matched key pattern ', h('code', {}, i.keyPattern),
    ' and value pattern ', h('code', {}, i.valuePattern), ` (interests revision ${route.revision})`);
}

export async function render(root, { arg: taskId }) {
  const body = h('div');
  replace(root, h('p', {}, h('a', { href: '#/' }, '← Overview')), h('h1', {}, 'Task ', taskId), body);
  let editing = false;

  async function refresh() {
    if (editing) return; // do not redraw under someone editing the payload
    const { task: t } = await api('GET', `/status${qs({ task: taskId })}`);
    const waiting = t.state === 'ready' || t.state === 'scheduled';
    const history = t.history.map((e) => h('tr', {},
      h('td', {}, time(e.at)), h('td', {}, e.what), h('td', { class: 'num' }, e.attempt ?? ''),
      h('td', {}, e.workerId ?? ''), h('td', {}, e.reason ?? e.failReason ?? ''),
      h('td', {}, [e.fromQueue && e.toQueue && e.fromQueue !== e.toQueue ? `${e.fromQueue} → ${e.toQueue}` : null,
        e.originalData ? h('details', {}, h('summary', {}, 'original payload'), pretty(e.originalData)) : null,
        e.retryAt ? h('span', {}, 'retry at ', time(e.retryAt)) : null])));
    replace(body,
      h('div', { class: 'cards' },
        h('div', { class: 'card' }, 'State', h('b', { class: t.state === 'failed' ? 'bad' : t.state === 'succeeded' ? 'ok' : '' }, t.state)),
        h('div', { class: 'card' }, 'Queue', h('b', {}, h('a', { href: hrefQueue(t.queue) }, t.queue))),
        h('div', { class: 'card' }, 'Attempts', h('b', {}, `${t.attempts} / ${t.maxAttempts}`))),
      h('div', { class: 'panel' },
        h('p', {}, 'Event ', h('code', {}, t.eventId), ' from ', h('code', {}, t.publisher), ', priority ', t.priority, '.'),
        h('p', {}, 'Created ', time(t.createdAt), '; due ', time(t.runAt), t.finishedAt ? ['; finished ', time(t.finishedAt)] : null,
          t.leaseExpiresAt && t.state === 'started' ? ['; leased to ', h('code', {}, t.workerId), ' until ', time(t.leaseExpiresAt)] : null, '.'),
        h('p', {}, 'Routed here because ', routeText(t.route), '.'),
        t.failReason ? h('p', {}, 'Last failure: ', h('span', { class: 'bad' }, t.failReason)) : null),
      h('div', { class: 'row' },
        waiting ? h('button', { type: 'button', class: 'danger', onclick: cancel }, 'Cancel task') : null,
        t.state === 'failed' ? h('button', { type: 'button', onclick: () => retry(t) }, 'Retry now') : null),
      t.state === 'failed' ? retryForm(t) : null,
      h('h2', {}, 'Payload'), pretty(t.data),
      t.result !== null && t.result !== undefined ? [h('h2', {}, 'Result'), pretty(t.result)] : null,
      h('h2', {}, 'History'),
      table(['At', 'What', '#Attempt', 'Worker', 'Reason', 'More'], history));
  }

  function retryForm(t) {
    const data = h('textarea', { name: 'data', rows: 8, spellcheck: 'false' }, JSON.stringify(t.data, null, 2));
    const toQueue = h('input', { name: 'toQueue', placeholder: t.queue });
    data.addEventListener('focus', () => { editing = true; });
    data.addEventListener('input', () => jsonOf(data));
    return h('details', { class: 'panel', ontoggle: (e) => { editing = e.target.open; } },
      h('summary', {}, 'Edit the payload, or pick another queue, then retry'),
      h('form', { onsubmit: async (e) => {
        e.preventDefault();
        const edited = jsonOf(data);
        if (edited === undefined) return;
        const changed = JSON.stringify(edited) !== JSON.stringify(t.data);
        const ok = await act(() => api('POST', '/failed/retry', { taskIds: [taskId], ...(changed ? { data: edited } : {}), ...(toQueue.value.trim() ? { toQueue: toQueue.value.trim() } : {}) }),
          (r) => (r.retried ? `Retried${changed ? ' with the edited payload (the original is in the history)' : ''}.` : 'Nothing retried: the task is no longer failed.'));
        editing = false;
        if (ok) await refresh();
      } },
      field('Payload (JSON object)', data), h('div', { class: 'row' }, field('Into queue (empty: the same)', toQueue), h('button', { type: 'submit' }, 'Retry with these'))));
  }

  async function cancel() {
    if (!confirm(`Cancel task ${taskId}? It will not run.`)) return;
    await act(() => api('DELETE', `/task${qs({ taskId })}`), 'Task cancelled.');
    await refresh();
  }
  async function retry() {
    await act(() => api('POST', '/failed/retry', { taskIds: [taskId] }), (r) => (r.retried ? 'Retried: the task is ready again.' : 'Nothing retried.'));
    await refresh();
  }
  return { refresh };
}
