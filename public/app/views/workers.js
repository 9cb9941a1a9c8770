// Workers: each with its queues in priority order, current tasks, last seen, tasks done; unregister
// one, or every worker of a queue.
import { h, replace, field, hrefQueue, hrefTask, ago, time, rowsOrEmpty } from '../dom.js';
import { api, qs } from '../api.js';
import { act, num, table } from './common.js';

export async function render(root) {
  const list = h('div');
  const queueInput = h('input', { name: 'queue', required: true, placeholder: 'queue name' });
  replace(root,
    h('h1', {}, 'Workers'),
    h('form', { class: 'row', 'aria-label': 'Unregister every worker of a queue', onsubmit: async (e) => {
      e.preventDefault();
      const queue = queueInput.value.trim();
      if (!queue || !confirm(`Unregister every worker of queue "${queue}"? Their started tasks go back to their queues, and the queue gets no more tasks until a worker registers again.`)) return;
      await act(() => api('DELETE', `/worker${qs({ queue })}`), (r) => `Unregistered ${r.workers} worker(s); ${r.tasksReturned} task(s) went back, ${r.tasksCancelled} copy(ies) made for them cancelled.`);
      await refresh();
    } }, field('Unregister every worker of queue', queueInput), h('button', { type: 'submit', class: 'danger' }, 'Unregister all')),
    list);

  async function refresh() {
    const { workers } = await api('GET', '/status?workers');
    workers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const rows = workers.map((w) => h('tr', {},
      h('td', {}, w.name, h('br'), h('code', { class: 'muted' }, w.workerId)),
      h('td', {}, h('ol', { class: 'queue-list' }, w.queues.map((q) => h('li', {}, h('a', { href: hrefQueue(q) }, q))))),
      h('td', {}, w.tasks.length ? w.tasks.map((id) => h('div', {}, h('a', { href: hrefTask(id) }, id))) : h('span', { class: 'muted' }, 'idle')),
      h('td', {}, ago(w.lastSeenAt)), h('td', { class: 'hide-narrow' }, time(w.registeredAt)), num(w.tasksDone),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Unregister worker ${w.name} (${w.workerId})`, onclick: async () => {
        if (!confirm(`Unregister worker ${w.name}? Its ${w.tasks.length} started task(s) go back to their queues.`)) return;
        await act(() => api('DELETE', `/worker${qs({ workerId: w.workerId })}`), (r) => `Unregistered; ${r.tasksReturned} task(s) went back, ${r.tasksCancelled} copy(ies) made for it cancelled.`);
        await refresh();
      } }, 'Unregister'))));
    replace(list, table(['Worker', 'Queues (priority order)', 'Current tasks', 'Last seen', 'Registered', '#Done', ''],
      rowsOrEmpty(rows, 7, 'No workers online. A worker registers with PUT /worker.')),
    h('p', { class: 'muted' }, `${workers.length} worker(s) online.`));
  }
  return { refresh };
}
