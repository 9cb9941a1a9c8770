// Unrouted: events no queue wanted, kept for SWITCHYARD_UNROUTED_KEEP. Filter by publisher and data
// (field = value, or free text); replay one, the selected or all matching through the interests as
// they are now (say, after adding the queue they were meant for), or let them go.
import { h, replace, field, time, pager, rowsOrEmpty, offsetOf } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';
import { payloadFilter } from './failed.js';

const PAGE = 50;

export async function render(root, { query, go }) {
  const filters = { publisher: query.get('publisher') ?? '', payload: query.get('payload') ?? '' };
  const offset = offsetOf(query);
  const apiFilter = { ...(filters.publisher ? { publisher: filters.publisher } : {}), ...payloadFilter(filters.payload) };
  const inputs = {
    publisher: h('input', { name: 'publisher', value: filters.publisher }),
    payload: h('input', { name: 'payload', value: filters.payload, placeholder: 'type = refund, or any text', size: 28 }),
  };
  const list = h('div');
  const selected = new Set();
  let total = 0;
  replace(root,
    h('h1', {}, 'Unrouted events'),
    h('p', { class: 'muted' }, 'Events no queue\'s interests wanted. Replaying routes them through the interests as they are now; one that still matches nothing is kept again.'),
    h('form', { class: 'row', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      go({ publisher: inputs.publisher.value.trim(), payload: inputs.payload.value, offset: 0 });
    } },
    field('Publisher', inputs.publisher), field('Data (field = value, or text)', inputs.payload),
    h('button', { type: 'submit', class: 'look' }, 'Filter'), h('a', { href: '#/unrouted' }, 'Clear')),
    h('div', { class: 'row', role: 'group', 'aria-label': 'Actions' },
      h('button', { type: 'button', onclick: () => replay({ eventIds: [...selected] }, `${selected.size} selected`) }, 'Replay selected'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove({ eventIds: [...selected] }, `${selected.size} selected`) }, 'Delete selected'),
      h('button', { type: 'button', class: 'secondary', onclick: () => replay({ all: true, ...apiFilter }, `all ${total} matching`) }, 'Replay all matching'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove({ all: true, ...apiFilter }, `all ${total} matching`) }, 'Delete all matching')),
    list);

  async function replay(sel, what) {
    if (sel.eventIds?.length === 0) return act(async () => { throw new Error('Select events first.'); });
    if (!confirm(`Replay ${what} unrouted event(s) through the interests as they are now?`)) return;
    await act(() => api('POST', '/unrouted/replay', sel), (r) => `Replayed ${r.replayed}: ${r.routed} routed, ${r.stillUnrouted} still unrouted.`);
    selected.clear();
    await refresh();
  }
  async function remove(sel, what) {
    if (sel.eventIds?.length === 0) return act(async () => { throw new Error('Select events first.'); });
    if (!confirm(`Delete ${what} unrouted event(s) for good?`)) return;
    await act(() => api('DELETE', '/unrouted', sel), (r) => `Deleted ${r.deleted} event(s).`);
    selected.clear();
    await refresh();
  }

  async function refresh() {
    const page = await api('GET', `/unrouted${qs({ ...apiFilter, limit: PAGE, offset })}`);
    total = page.total;
    for (const id of [...selected]) if (!page.events.some((e) => e.eventId === id)) selected.delete(id);
    const rows = page.events.map((e) => h('tr', {},
      h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select event ${e.eventId}`, checked: selected.has(e.eventId),
        onchange: (ev) => { if (ev.target.checked) selected.add(e.eventId); else selected.delete(e.eventId); } })),
      h('td', {}, e.eventId), h('td', {}, e.publisher), h('td', {}, time(e.at)),
      h('td', {}, h('code', {}, JSON.stringify(e.data).slice(0, 200)))));
    replace(list,
      table(['', 'Event', 'Publisher', 'Arrived', 'Data'], rowsOrEmpty(rows, 5, page.keepSeconds ? 'No unrouted event matches.' : 'Unrouted events are not kept (SWITCHYARD_UNROUTED_KEEP=0).')),
      pager(page.total, offset, PAGE, (o) => go({ ...filters, offset: o })));
  }
  return { refresh };
}
