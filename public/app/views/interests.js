// Interests: every queue's map; an editor with live validation (an invalid or dangerous pattern shows
// before saving); a dry run that says, per queue, which field and pattern matched or why none did;
// warnings for queues no worker serves and workers on queues nothing feeds; the edited queue's history
// of changes (who, when), each one a click from being put back.
import { h, replace, field, hrefQueue, pager, rowsOrEmpty, offsetOf, time } from '../dom.js';
import { api, qs } from '../api.js';
import { act, table } from './common.js';

/** Every interest of a map (a pair, a clause, or "*"), named as the broker counts its matches. */
function interestKeys(map) {
  if (map === '*') return ['*'];
  if (Array.isArray(map)) return map.map((c) => JSON.stringify(c));
  return Object.entries(map).map(([k, v]) => JSON.stringify({ [k]: v }));
}

/** Each interest's match count and last match, on every node. */
function matchCounts(map, counted) {
  return h('ul', { class: 'plain' }, interestKeys(map).map((k) => {
    const m = counted[k];
    return h('li', {}, h('code', {}, k), m ? ` ${m.count} (last ${time(m.lastMatchAt)})` : h('span', { class: 'muted' }, ' none yet'));
  }));
}

/** How the dry run says an interest matched: "*", the field and patterns of a pair, or the clause. */
function matchedText(i) {
  if (i === '*') return 'interest "*"';
  if ('clause' in i) return [`clause ${i.clause}: `, h('code', {}, JSON.stringify(i.conditions))];
  return ['field ', h('code', {}, i.field), ' matched key pattern ', h('code', {}, i.keyPattern), ' and value pattern ', h('code', {}, i.valuePattern)];
}

const PAGE = 100;

/** The editor's text as interests: "*", a JSON object or a JSON list (of clauses); undefined when it is none. */
function parseMap(text) {
  const t = text.trim();
  if (t === '*' || t === '"*"') return '*';
  try {
    const v = JSON.parse(t);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch { return undefined; }
}

export async function render(root, { query, go }) {
  const match = query.get('match') ?? '';
  const offset = offsetOf(query);
  const queueInput = h('input', { name: 'queue', required: true, value: query.get('queue') ?? '' });
  const mapInput = h('textarea', { name: 'interests', rows: 5, spellcheck: 'false', 'aria-describedby': 'map-check' }, '{"type": "^userCreated$"}');
  const check = h('div', { id: 'map-check', 'aria-live': 'polite' });
  const whatIfOut = h('div', { class: 'what-if', 'aria-live': 'polite', 'aria-label': 'What-if' });
  const eventInput = h('textarea', { name: 'event', rows: 5, spellcheck: 'false' }, '{"type": "userCreated", "user": {"email": "ann@example.com"}}');
  const withDraft = h('input', { type: 'checkbox', name: 'withDraft' });
  const dryOut = h('div', { 'aria-live': 'polite' });
  const history = h('div', { 'aria-live': 'polite' });
  const warnings = h('div');
  const list = h('div');
  const filter = h('input', { type: 'search', name: 'match', value: match });

  replace(root,
    h('h1', {}, 'Interests'),
    warnings,
    h('h2', {}, 'Edit a queue\'s interests'),
    h('form', { class: 'panel', 'aria-label': 'Edit interests', onsubmit: save },
      h('p', { class: 'muted' }, '"*" takes every event; {"keyPattern": "valuePattern", …}: an event matches when some field (dot path, e.g. user.email) has a name matching a key pattern and a value matching its value pattern; or a list of clauses, [{"type": "^userCreated$", "country": {"equals": "FR"}}, …]: an event matches when every field of one clause does (a regex, or equals, equals-ignore-case, prefix, suffix, anything-but, numeric, exists, cidr).'),
      field('Queue', queueInput),
      field('Interests ("*", a JSON object of patterns, or a list of clauses)', mapInput), check, whatIfOut,
      h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Save interests'),
        h('button', { type: 'button', class: 'secondary', onclick: removeMap }, 'Remove this queue\'s interests'))),
    h('h2', {}, 'History of this queue\'s interests'),
    history,
    h('h2', {}, 'Dry run: where would an event go?'),
    h('form', { class: 'panel publish', 'aria-label': 'Dry run', onsubmit: dryRun },
      field('Event data (JSON object)', eventInput),
      h('div', { class: 'row' }, h('label', { class: 'inline' }, withDraft, 'Use the draft above for its queue (not saved)'),
        h('button', { type: 'submit' }, 'Dry run')),
      dryOut),
    h('h2', {}, 'Every queue\'s interests'),
    h('form', { class: 'row', role: 'search', onsubmit: (e) => { e.preventDefault(); go({ match: filter.value, offset: 0 }); } },
      field('Filter by queue name', filter), h('button', { type: 'submit', class: 'look' }, 'Filter')),
    list);

  // Live validation: the broker checks the draft with the very rules a save uses.
  let checkTimer = null;
  let lastChecked = null;
  const validate = async () => {
    const map = parseMap(mapInput.value);
    if (map === undefined) {
      mapInput.classList.add('invalid');
      replace(check, h('p', { class: 'bad' }, 'Not "*", a JSON object of patterns, nor a JSON list of clauses.'));
      return false;
    }
    const text = JSON.stringify(map);
    if (text === lastChecked?.text) return lastChecked.valid;
    try {
      const r = await api('POST', '/interest/dry-run', { data: {}, interests: map, queue: queueInput.value.trim() || '(draft)' });
      mapInput.classList.toggle('invalid', !r.valid);
      replace(check, r.valid ? h('p', { class: 'ok' }, 'Every pattern is valid and safe.')
        : h('ul', { class: 'problems' }, r.problems.map((p) => h('li', {}, `${p.where}: pattern ${JSON.stringify(p.pattern)} is refused: ${p.reason}`))));
      lastChecked = { text, valid: r.valid };
      if (r.valid) void whatIf(map);
      return r.valid;
    } catch (e) {
      replace(check, h('p', { class: 'bad' }, e.message));
      return false;
    }
  };
  mapInput.addEventListener('input', () => { clearTimeout(checkTimer); checkTimer = setTimeout(validate, 250); });

  // What-if: the broker's sample of recent events, routed by the draft beside the queue's interests now.
  let whatIfAsked = 0;
  async function whatIf(map) {
    const queue = queueInput.value.trim();
    if (!queue) { replace(whatIfOut); return; }
    const asked = ++whatIfAsked;
    try {
      const r = await api('POST', '/interest/what-if', { queue, interests: map, examples: 3 });
      if (asked !== whatIfAsked) return;
      const examples = (label, part) => part.examples.length ? h('details', {}, h('summary', {}, `${label}: ${part.count}`),
        h('ul', {}, part.examples.map((e) => h('li', {}, h('code', {}, JSON.stringify(e.data).slice(0, 200)), ` from ${e.publisher}, ${time(e.at)}`)))) : null;
      replace(whatIfOut, r.sampled === 0 ? h('p', { class: 'muted' }, 'What-if: no recent events sampled yet.') : [
        h('p', { class: 'what-if-summary' }, `What-if over the last ${r.sampled} event(s): "${queue}" gets ${r.matchedNow} now, ${r.matchedDraft} with this draft `
          + `(gains ${r.gained.count}, loses ${r.lost.count}); events going nowhere: ${r.unrouted.now} now, ${r.unrouted.draft} with it.`),
        examples('Would gain', r.gained), examples('Would lose', r.lost)]);
    } catch (e) {
      if (asked === whatIfAsked) replace(whatIfOut, h('p', { class: 'muted' }, `What-if unavailable: ${e.message}`));
    }
  }
  queueInput.addEventListener('change', () => { void showHistory(); lastChecked = null; void validate(); });

  async function save(e) {
    e.preventDefault();
    if (!(await validate())) return;
    const queue = queueInput.value.trim();
    const r = await act(() => api('PUT', '/interest', { queue, interests: parseMap(mapInput.value) }), `Interests of "${queue}" saved.`);
    if (r) { await refresh(); await showHistory(); }
  }

  const HISTORY_ROWS = 20;
  async function showHistory() {
    const queue = queueInput.value.trim();
    if (!queue) { replace(history, h('p', { class: 'muted' }, 'Name a queue above to see how its interests changed.')); return; }
    const { total, changes } = await api('GET', `/interest/history${qs({ queue, limit: HISTORY_ROWS })}`);
    const rows = changes.map((c) => h('tr', {},
      h('td', {}, String(c.revision)), h('td', {}, time(c.at)), h('td', {}, c.who ?? '—'),
      h('td', {}, c.interests === null ? h('span', { class: 'muted' }, 'removed') : h('code', {}, JSON.stringify(c.interests)),
        c.rollbackOf ? ` (put back revision ${c.rollbackOf})` : ''),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Put back revision ${c.revision} of ${queue}`, onclick: () => rollback(queue, c.revision) }, 'Put back'))));
    replace(history, table(['Revision', 'When', 'Who', 'Interests', ''], rowsOrEmpty(rows, 5, `No change of "${queue}" yet.`)),
      total > HISTORY_ROWS ? h('p', { class: 'muted' }, `${total - HISTORY_ROWS} older change(s) not shown.`) : null);
  }
  async function rollback(queue, revision) {
    if (!confirm(`Put back the interests "${queue}" had at revision ${revision}? Events are routed by them from now on.`)) return;
    const r = await act(() => api('POST', '/interest/rollback', { queue, revision }), `Interests of "${queue}" put back to revision ${revision}.`);
    if (!r) return;
    if (r.interests !== null) mapInput.value = r.interests === '*' ? '*' : JSON.stringify(r.interests, null, 2);
    await refresh();
    await showHistory();
  }
  async function removeMap() {
    const queue = queueInput.value.trim();
    if (!queue || !confirm(`Remove the interests of "${queue}"? No new event will be routed to it; its tasks stay.`)) return;
    await act(() => api('DELETE', `/interest${qs({ queue })}`), `Interests of "${queue}" removed.`);
    await refresh();
    await showHistory();
  }
  async function dryRun(e) {
    e.preventDefault();
    let data;
    try { data = JSON.parse(eventInput.value); } catch { data = undefined; }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      eventInput.classList.add('invalid');
      replace(dryOut, h('p', { class: 'bad' }, 'The event data must be a JSON object.'));
      return;
    }
    eventInput.classList.remove('invalid');
    const map = withDraft.checked ? parseMap(mapInput.value) : undefined;
    try {
      const r = await api('POST', '/interest/dry-run', { data, ...(map !== undefined ? { interests: map, queue: queueInput.value.trim() || '(draft)' } : {}) });
      if (r.valid === false) { replace(dryOut, h('p', { class: 'bad' }, 'The draft has refused patterns (see above).')); return; }
      const got = r.queues.filter((q) => q.matched);
      replace(dryOut,
        h('p', {}, got.length ? `${got.length} queue(s) would get this event.` : 'No queue would get this event: it would be discarded.'),
        table(['Queue', 'Gets it?', 'Why'], r.queues.map((q) => h('tr', {},
          h('td', {}, q.queue), h('td', {}, q.matched ? h('span', { class: 'tag ok' }, 'yes') : h('span', { class: 'tag' }, 'no')),
          h('td', {}, q.matched ? matchedText(q.interest) : q.why)))));
    } catch (err) {
      replace(dryOut, h('p', { class: 'bad' }, err.message));
    }
  }

  async function refresh() {
    const [{ interests, matches }, { workers }] = await Promise.all([api('GET', '/status?interests'), api('GET', '/status?workers')]);
    const served = new Set(workers.flatMap((w) => w.queues));
    const fed = new Set(Object.keys(interests));
    const unserved = [...fed].filter((q) => !served.has(q)).sort();
    const unfed = [...served].filter((q) => !fed.has(q)).sort();
    replace(warnings,
      unserved.length ? h('div', { class: 'panel warn' }, h('b', {}, 'Queues with interests but no worker: '), 'events pile up here. ',
        unserved.slice(0, 50).map((q, i) => [i ? ', ' : '', h('a', { href: hrefQueue(q) }, q)]), unserved.length > 50 ? ` and ${unserved.length - 50} more` : '') : null,
      unfed.length ? h('div', { class: 'panel warn' }, h('b', {}, 'Workers wait on queues no interest feeds: '),
        unfed.slice(0, 50).map((q, i) => [i ? ', ' : '', h('a', { href: hrefQueue(q) }, q)]), unfed.length > 50 ? ` and ${unfed.length - 50} more` : '') : null);
    const names = Object.keys(interests).filter((q) => q.includes(match)).sort();
    const rows = names.slice(offset, offset + PAGE).map((q) => h('tr', {},
      h('td', {}, h('a', { href: hrefQueue(q) }, q)),
      h('td', {}, h('code', {}, JSON.stringify(interests[q]))),
      h('td', {}, matchCounts(interests[q], matches?.[q] ?? {})),
      h('td', {}, served.has(q) ? h('span', { class: 'tag ok' }, 'served') : h('span', { class: 'tag warn' }, 'no worker')),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit the interests of ${q}`, onclick: () => {
        queueInput.value = q;
        mapInput.value = interests[q] === '*' ? '*' : JSON.stringify(interests[q], null, 2);
        validate();
        void showHistory();
        mapInput.focus();
      } }, 'Edit'))));
    replace(list, table(['Queue', 'Interests', 'Matched (each interest)', 'Workers', ''], rowsOrEmpty(rows, 5, 'No queue has interests yet.')),
      names.length > PAGE ? pager(names.length, offset, PAGE, (o) => go({ match, offset: o }), ['← Previous', 'Next →']) : null);
  }
  if (queueInput.value) {
    const { interests } = await api('GET', '/status?interests');
    const current = interests[queueInput.value];
    if (current !== undefined) mapInput.value = current === '*' ? '*' : JSON.stringify(current, null, 2);
  }
  await refresh();
  await showHistory();
  validate();
  return { refresh };
}
