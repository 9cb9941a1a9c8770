// Audit: every change made with an admin token or in open mode, newest first: when, who, from where,
// what and which queue, schedule or token, and the fields sent (never their values).
import { h, replace, time, pager, offsetOf, rowsOrEmpty } from '../dom.js';
import { api, qs } from '../api.js';
import { table } from './common.js';

const PAGE = 50;

export async function render(root, { query, go }) {
  const offset = offsetOf(query);
  const list = h('div');
  replace(root, h('h1', {}, 'Audit'), h('p', { class: 'muted' }, 'Changes made with an admin token or in open mode, newest first.'), list);

  async function refresh() {
    const { total, entries } = await api('GET', `/audit${qs({ limit: PAGE, offset })}`);
    const rows = entries.map((e) => h('tr', {},
      h('td', {}, time(e.at)), h('td', {}, e.who, h('br'), h('span', { class: 'muted' }, e.role)), h('td', {}, e.from),
      h('td', {}, h('code', {}, e.what)), h('td', {}, e.subject ?? ''), h('td', { class: 'hide-narrow' }, e.fields.join(', ')), h('td', { class: 'num' }, e.status)));
    replace(list, table(['When', 'Who', 'From', 'What', 'Subject', 'Fields sent', '#Status'], rowsOrEmpty(rows, 7, 'No changes recorded yet.')),
      pager(total, offset, PAGE, (o) => go({ offset: o })));
  }
  return { refresh };
}
