// Failed: filter by queue, reason text and payload (field = value, or free text); retry or delete
// one, the selected, or all matching, into the same queue or another. Paging is server-side.
import { h, replace, field, hrefQueue, hrefTask, time, pager, rowsOrEmpty, offsetOf } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';

const PAGE = 50;

/** "user.email = a@b.c" is a field filter; anything else is free text in the payload. */
export function payloadFilter(text) {
  const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(text);
  return m ? { field: m[1], value: m[2] } : text.trim() ? { search: text.trim() } : {};
}

export async function render(root, { query, go }) {
  const filters = { queue: query.get('queue') ?? '', reason: query.get('reason') ?? '', payload: query.get('payload') ?? '' };
  const offset = offsetOf(query);
  const apiFilter = { ...(filters.queue ? { queue: filters.queue } : {}), ...(filters.reason ? { reason: filters.reason } : {}), ...payloadFilter(filters.payload) };
  const inputs = {
    queue: h('input', { name: 'queue', value: filters.queue }),
    reason: h('input', { name: 'reason', value: filters.reason, placeholder: 'text in the last reason' }),
    payload: h('input', { name: 'payload', value: filters.payload, placeholder: 'user.id = 7, or any text', size: 28 }),
  };
  const toQueue = h('input', { name: 'toQueue', placeholder: 'same queue' });
  const list = h('div');
  const selected = new Set();
  replace(root,
    h('h1', {}, 'Failed tasks'),
    h('form', { class: 'row', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      go({ queue: inputs.queue.value.trim(), reason: inputs.reason.value, payload: inputs.payload.value, offset: 0 });
    } },
    field('Queue', inputs.queue), field('Reason contains', inputs.reason), field('Payload (field = value, or text)', inputs.payload),
    h('button', { type: 'submit', class: 'look' }, 'Filter'), h('a', { href: '#/failed' }, 'Clear')),
    h('div', { class: 'row', role: 'group', 'aria-label': 'Actions' },
      field('Retry into queue', toQueue),
      h('button', { type: 'button', onclick: () => retry({ taskIds: [...selected] }, `${selected.size} selected`) }, 'Retry selected'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove({ taskIds: [...selected] }, `${selected.size} selected`) }, 'Delete selected'),
      h('button', { type: 'button', class: 'secondary', onclick: () => retry({ all: true, ...apiFilter }, `all ${total} matching`) }, 'Retry all matching'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove({ all: true, ...apiFilter }, `all ${total} matching`) }, 'Delete all matching')),
    list);
  let total = 0;

  async function retry(sel, what) {
    if (sel.taskIds?.length === 0) return act(async () => { throw new Error('Select tasks first.'); });
    const into = toQueue.value.trim();
    if (!confirm(`Retry ${what} failed task(s)${into ? ` into queue "${into}"` : ''}?`)) return;
    await act(() => api('POST', '/failed/retry', { ...sel, ...(into ? { toQueue: into } : {}) }), (r) => `Retried ${r.retried} task(s).`);
    selected.clear();
    await refresh();
  }
  async function remove(sel, what) {
    if (sel.taskIds?.length === 0) return act(async () => { throw new Error('Select tasks first.'); });
    if (!confirm(`Delete ${what} failed task(s) for good?`)) return;
    await act(() => api('DELETE', '/failed', sel), (r) => `Deleted ${r.deleted} task(s).`);
    selected.clear();
    await refresh();
  }

  async function refresh() {
    const page = await api('GET', `/failed${qs({ ...apiFilter, limit: PAGE, offset })}`);
    total = page.total;
    for (const id of [...selected]) if (!page.tasks.some((t) => t.taskId === id)) selected.delete(id);
    const rows = page.tasks.map((t) => h('tr', {},
      h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select task ${t.taskId}`, checked: selected.has(t.taskId),
        onchange: (e) => { if (e.target.checked) selected.add(t.taskId); else selected.delete(t.taskId); } })),
      h('td', {}, h('a', { href: hrefTask(t.taskId) }, t.taskId)),
      h('td', {}, h('a', { href: hrefQueue(t.queue) }, t.queue)),
      h('td', { class: 'bad' }, t.failReason ?? ''), h('td', { class: 'num' }, t.attempts), h('td', {}, time(t.finishedAt)),
      h('td', { class: 'hide-narrow' }, h('code', {}, JSON.stringify(t.data).slice(0, 160)))));
    replace(list,
      table(['', 'Task', 'Queue', 'Last reason', '#Attempts', 'Failed at', 'Payload'],
        rowsOrEmpty(rows, 7, 'No failed tasks match.')),
      pager(page.total, offset, PAGE, (o) => go({ ...filters, offset: o })));
  }
  return { refresh };
}
