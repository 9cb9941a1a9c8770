// Tokens (admins only): every token with its role, queues and last use; make one (its secret is
// shown once, here, and never again) or revoke one (at once, on every node).
import { h, replace, field, time, rowsOrEmpty } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';

export async function render(root) {
  const name = h('input', { name: 'name', required: true, placeholder: 'mailer', pattern: '[A-Za-z0-9._@\\-]+' });
  const role = h('select', { name: 'role' }, ['work', 'publish', 'read', 'admin'].map((r) => h('option', { value: r }, r)));
  const queues = h('input', { name: 'queues', placeholder: 'all queues (or: email, points)' });
  const answer = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  replace(root,
    h('h1', {}, 'Tokens'),
    list,
    h('h2', {}, 'Make a token'),
    h('form', { class: 'panel', 'aria-label': 'Make a token', onsubmit: async (e) => {
      e.preventDefault();
      const limited = queues.value.split(',').map((q) => q.trim()).filter(Boolean);
      try {
        const t = await api('PUT', '/token', { name: name.value.trim(), role: role.value, ...(limited.length ? { queues: limited } : {}) });
        replace(answer, h('p', { class: 'ok' }, `Token "${t.name}" (${t.role}) made. Copy it now: it is not shown again.`),
          h('p', {}, h('code', { class: 'secret', 'aria-label': 'The new token' }, t.token)));
        await refresh();
      } catch (err) {
        replace(answer, h('p', { class: 'bad' }, err.message));
      }
    } },
    h('p', { class: 'muted' }, 'work and read tokens may be limited to queues; admin and publish tokens reach every queue.'),
    h('div', { class: 'row' }, field('Name', name), field('Role', role), field('Queues (comma-separated)', queues)),
    h('button', { type: 'submit' }, 'Make token'), answer));

  async function refresh() {
    const { tokens } = await api('GET', '/token');
    const rows = tokens.map((t) => h('tr', {},
      h('td', {}, t.name), h('td', {}, t.role), h('td', {}, t.queues ? t.queues.join(', ') : 'all'),
      h('td', { class: 'hide-narrow' }, time(t.createdAt)), h('td', {}, t.lastUsedAt ? time(t.lastUsedAt) : 'never'),
      h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke token ${t.name}`, onclick: async () => {
        if (!confirm(`Revoke token "${t.name}"? Every request with it is refused from now on, on every node.`)) return;
        await act(() => api('DELETE', `/token${qs({ name: t.name })}`), 'Token revoked.');
        await refresh();
      } }, 'Revoke'))));
    replace(list, table(['Name', 'Role', 'Queues', 'Created', 'Last used', ''], rowsOrEmpty(rows, 6, 'No tokens: the broker is open (loopback only) until one is made.')));
  }
  return { refresh };
}
