// Schedules: every schedule with its next runs and last firing; create or replace one (the broker
// validates the cron and zone), pause / resume, delete.
import { h, replace, field, time, pretty, jsonOf, rowsOrEmpty } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';

export async function render(root) {
  const name = h('input', { name: 'name', required: true, placeholder: 'nightly-report' });
  const cron = h('input', { name: 'cron', required: true, value: '0 3 * * *', spellcheck: 'false' });
  const timezone = h('input', { name: 'timezone', placeholder: 'broker local time', value: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const event = h('textarea', { name: 'event', rows: 5, spellcheck: 'false' }, '{"publisher": "scheduler", "data": {"type": "nightlyReport"}}');
  const answer = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  event.addEventListener('input', () => jsonOf(event));
  replace(root,
    h('h1', {}, 'Schedules'),
    list,
    h('h2', {}, 'Create or replace a schedule'),
    h('form', { class: 'panel', 'aria-label': 'Create or replace a schedule', onsubmit: async (e) => {
      e.preventDefault();
      const ev = jsonOf(event);
      if (ev === undefined) { replace(answer, h('p', { class: 'bad' }, 'The event must be a JSON object with publisher and data.')); return; }
      try {
        const s = await api('PUT', '/schedule', { name: name.value.trim(), cron: cron.value.trim(), timezone: timezone.value.trim() || null, event: ev });
        replace(answer, h('p', { class: 'ok' }, `Saved "${s.name}". Next run: `, s.nextRuns.length ? time(s.nextRuns[0]) : '—', '.'));
        await refresh();
      } catch (err) {
        replace(answer, h('p', { class: 'bad' }, err.message));
      }
    } },
    h('p', { class: 'muted' }, 'Cron in node-cron syntax: five fields (minute hour day month weekday), or six with seconds first. Each tick publishes the event once, however many broker nodes run.'),
    h('div', { class: 'row' }, field('Name', name), field('Cron', cron), field('Time zone (IANA)', timezone)),
    field('Event (a PUT /task body: publisher, data, options)', event),
    h('button', { type: 'submit' }, 'Save schedule'), answer));

  async function refresh() {
    const { schedules } = await api('GET', '/schedule');
    const rows = schedules.map((s) => h('tr', {},
      h('td', {}, s.name, s.paused ? [' ', h('span', { class: 'tag' }, 'paused')] : null),
      h('td', {}, h('code', {}, s.cron), h('br'), h('span', { class: 'muted' }, s.timezone ?? 'local')),
      h('td', {}, s.nextRuns.length ? time(s.nextRuns[0]) : '—'),
      h('td', {}, s.lastFiredAt ? time(s.lastFiredAt) : 'never', s.lastMissedTicks ? h('div', { class: 'warn' }, `stood for ${s.lastMissedTicks + 1} missed ticks`) : null),
      h('td', { class: 'hide-narrow' }, h('details', {}, h('summary', {}, 'event'), pretty(s.event))),
      h('td', {},
        h('button', { type: 'button', class: 'secondary', 'aria-label': `${s.paused ? 'Resume' : 'Pause'} schedule ${s.name}`, onclick: async () => {
          await act(() => api('PATCH', '/schedule', { name: s.name, paused: !s.paused }), s.paused ? 'Schedule resumed.' : 'Schedule paused.');
          await refresh();
        } }, s.paused ? 'Resume' : 'Pause'), ' ',
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete schedule ${s.name}`, onclick: async () => {
          if (!confirm(`Delete schedule "${s.name}"? It will not fire again.`)) return;
          await act(() => api('DELETE', `/schedule${qs({ name: s.name })}`), 'Schedule deleted.');
          await refresh();
        } }, 'Delete'))));
    replace(list, table(['Name', 'Cron', 'Next run', 'Last fired', 'Event', ''],
      rowsOrEmpty(rows, 6, 'No schedules yet.')));
  }
  return { refresh };
}
