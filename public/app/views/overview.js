// Overview: totals, rates over the last 15 minutes, and every queue (paged, filterable) with its
// counts and a throughput sparkline.
import { h, replace, field, hrefQueue, time, pager, rowsOrEmpty, offsetOf } from '../dom.js';
import { api, qs } from '../api.js';
import { ratesChart, sparkline } from '../charts.js';
import { heldTag, num, table } from './common.js';

const PAGE = 50;

export async function render(root, { query, go }) {
  const match = query.get('match') ?? '';
  const offset = offsetOf(query);
  const cards = h('div', { class: 'cards' });
  const warnings = h('div');
  const chartBox = h('div', { class: 'panel', 'aria-label': 'Rates per minute, last 15 minutes' });
  const filter = h('input', { type: 'search', name: 'match', value: match, placeholder: 'part of a name' });
  const list = h('div');
  replace(root,
    h('h1', {}, 'Overview'), warnings, cards,
    h('h2', {}, 'Rates per minute (last 15 minutes)'), chartBox,
    h('h2', {}, 'Queues'),
    h('form', { class: 'row', role: 'search', onsubmit: (e) => { e.preventDefault(); go({ match: filter.value, offset: 0 }); } },
      field('Filter queues by name', filter), h('button', { type: 'submit', class: 'look' }, 'Filter')),
    list);
  const chart = ratesChart(chartBox);
  let sparks = [];

  async function refresh() {
    const [all, page] = await Promise.all([
      api('GET', '/status'),
      api('GET', `/status${qs({ queues: 1, match, limit: PAGE, offset })}`),
    ]);
    replace(cards,
      h('div', { class: 'card' }, 'Queues', h('b', {}, all.queues.length)),
      h('div', { class: 'card' }, 'Workers online', h('b', {}, all.workers)),
      h('div', { class: 'card' }, 'Failed', h('b', { class: all.failed ? 'bad' : '' }, all.failed)),
      h('div', { class: 'card' }, 'Waiting', h('b', {}, all.queues.reduce((n, q) => n + q.length, 0))),
      all.schedules.length ? h('div', { class: 'card' }, h('a', { href: '#/schedules' }, 'Next schedule'),
        h('b', { class: 'next-run' }, nextRun(all.schedules))) : null,
      all.fastPostErrors ? h('div', { class: 'card' }, 'fastPost errors', h('b', { class: 'bad' }, all.fastPostErrors)) : null,
      all.unrouted ? h('div', { class: 'card' }, h('a', { href: '#/unrouted' }, 'Unrouted events'), h('b', {}, all.unrouted)) : null);
    replace(warnings, all.warnings.slice(0, 20).map((w) => h('div', { class: 'panel warn' }, h('b', {}, h('a', { href: hrefQueue(w.queue) }, w.queue)),
      w.kind === 'unserved' ? `: no worker serves it and it pushes nowhere; ${w.waiting} task(s) waiting${w.hasInterests ? ', and its interests keep sending more' : ''}.`
        : w.kind === 'starved' ? `: ${w.ready} ready task(s) wait while every worker serving it takes ${w.behind.join(', ')} first.`
          : [': its interest ', h('code', {}, w.interest), ` took none of the ${w.eventsLastHour} task(s) published in the last hour (last match: ${w.lastMatchAt === null ? 'never' : time(w.lastMatchAt)}).`])),
    all.warnings.length > 20 ? h('p', { class: 'muted' }, `${all.warnings.length - 20} more warning(s).`) : null);
    chart.update(all.throughput.minutes);
    const names = page.queues.map((q) => q.name);
    const rates = names.length ? (await api('GET', `/throughput${qs({ queues: names.join(','), minutes: 15 })}`)).queues : {};
    for (const s of sparks) s.destroy();
    sparks = [];
    const rows = page.queues.map((q) => {
      const cell = h('td', { class: 'hide-narrow', 'aria-label': `${q.name}: tasks done per minute, last 15 minutes` });
      sparks.push(sparkline(cell, rates[q.name] ?? []));
      return h('tr', {},
        h('td', {}, h('a', { href: hrefQueue(q.name) }, q.name), ' ', q.paused ? h('span', { class: 'tag' }, 'paused') : heldTag(q.heldBy)),
        num(q.counts.ready), num(q.counts.scheduled), num(q.counts.started),
        h('td', { class: 'num' }, q.counts.failed ? h('a', { class: 'bad', href: `#/failed?queue=${encodeURIComponent(q.name)}` }, q.counts.failed) : 0),
        num(q.counts.succeeded), cell);
    });
    replace(list,
      table(['Queue', '#ready', '#scheduled', '#started', '#failed', '#succeeded', 'Done/min'],
        rowsOrEmpty(rows, 7, match ? 'No queue matches.' : 'No queues yet: publish an event or set an interest.')),
      page.total > PAGE ? pager(page.total, offset, PAGE, (o) => go({ match, offset: o }), ['← Previous', 'Next →']) : null);
  }
  const nextRun = (schedules) => {
    const next = schedules.filter((x) => x.nextRunAt !== null).sort((a, b) => a.nextRunAt - b.nextRunAt)[0];
    return next ? [next.name, ' ', time(next.nextRunAt)] : 'all paused';
  };

  return { refresh, destroy() { chart.destroy(); for (const s of sparks) s.destroy(); } };
}
