// Publish: send an event from a form and see the broker's answer, with links to the tasks it made.
import { h, replace, field, hrefQueue, hrefTask, pretty, jsonOf } from '../dom.js';
import { api } from '../api.js';

export async function render(root) {
  const publisher = h('input', { name: 'publisher', required: true, value: 'management-page' });
  const data = h('textarea', { name: 'data', rows: 8, spellcheck: 'false', required: true }, '{\n  "type": "userCreated",\n  "user": {"email": "ann@example.com"}\n}');
  const runAt = h('input', { name: 'runAt', type: 'datetime-local', step: 1 });
  const priority = h('input', { name: 'priority', type: 'number', step: 1, value: 0 });
  const scope = h('select', { name: 'scope' }, h('option', { value: 'any' }, 'any: one worker per queue'), h('option', { value: 'all' }, 'all: every worker of each queue'));
  const maxAttempts = h('input', { name: 'maxAttempts', type: 'number', min: 1, step: 1, placeholder: 'queue policy' });
  const idempotencyKey = h('input', { name: 'idempotencyKey', placeholder: 'optional' });
  const singularlyEnqueue = h('input', { type: 'checkbox', name: 'singularlyEnqueue' });
  const singularlyRun = h('input', { type: 'checkbox', name: 'singularlyRun' });
  const answer = h('div', { 'aria-live': 'polite' });
  data.addEventListener('input', () => jsonOf(data));

  replace(root,
    h('h1', {}, 'Publish an event'),
    h('form', { class: 'panel publish', 'aria-label': 'Publish an event', onsubmit: async (e) => {
      e.preventDefault();
      const payload = jsonOf(data);
      if (payload === undefined) { replace(answer, h('p', { class: 'bad' }, 'Data must be a JSON object.')); data.focus(); return; }
      const body = { publisher: publisher.value.trim(), data: payload, scope: scope.value, priority: Number(priority.value || 0) };
      if (runAt.value) body.runAt = new Date(runAt.value).getTime() / 1000;
      if (maxAttempts.value) body.maxAttempts = Number(maxAttempts.value);
      if (idempotencyKey.value.trim()) body.idempotencyKey = idempotencyKey.value.trim();
      if (singularlyEnqueue.checked) body.singularlyEnqueue = true;
      if (singularlyRun.checked) body.singularlyRun = true;
      try {
        const r = await api('PUT', '/task', body);
        replace(answer,
          h('p', { class: r.status === 'discarded' ? 'warn' : 'ok' }, r.status === 'discarded'
            ? 'Discarded: no queue is interested in this event.' : `Event ${r.eventId} ${r.status}${r.replayed ? ' (replayed: this key was already published)' : ''}.`),
          r.tasks.length ? h('ul', {}, r.tasks.map((t) => h('li', {}, h('a', { href: hrefTask(t.taskId) }, t.taskId), ' in ', h('a', { href: hrefQueue(t.queue) }, t.queue)))) : null,
          r.deduplicated?.length ? h('p', {}, 'Not copied (singularlyEnqueue): ', r.deduplicated.join(', ')) : null,
          h('details', {}, h('summary', {}, 'Answer as JSON'), pretty(r)));
      } catch (err) {
        replace(answer, h('p', { class: 'bad' }, err.message), err.details?.length ? pretty(err.details) : null);
      }
    } },
    h('div', { class: 'row' }, field('Publisher', publisher), field('Priority', priority), field('Scope', scope), field('Max attempts', maxAttempts)),
    field('Data (JSON object)', data),
    h('div', { class: 'row' }, field('Run at (local time; empty: now)', runAt), field('Idempotency key', idempotencyKey),
      h('label', { class: 'inline' }, singularlyEnqueue, 'singularlyEnqueue'), h('label', { class: 'inline' }, singularlyRun, 'singularlyRun')),
    h('button', { type: 'submit' }, 'Publish')),
    answer);
  return {};
}
