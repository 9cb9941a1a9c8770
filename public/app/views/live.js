// Live: the routing decisions this node makes (GET /tap), newest first: where each event went and by
// which interest (the field and pattern, or the clause), or that no queue wanted it. Pause, filter.
import { h, replace, field, time, hrefQueue } from '../dom.js';
import { token, qs } from '../api.js';

/** Rows kept on screen; older ones drop off the bottom. */
const KEEP = 200;

function matchText(i) {
  if (i === '*') return 'by "*"';
  if (i === 'direct') return 'published straight into it';
  if ('clause' in i) return `by clause ${i.clause}`;
  return `by ${i.field} ~ ${i.valuePattern}`;
}

export async function render(root, { query, go }) {
  const filter = { queue: query.get('queue') ?? '', publisher: query.get('publisher') ?? '' };
  const queueInput = h('input', { name: 'queue', value: filter.queue });
  const publisherInput = h('input', { name: 'publisher', value: filter.publisher });
  const state = h('span', { class: 'muted', 'aria-live': 'polite' }, 'connecting…');
  let paused = false;
  let missed = 0;
  const pause = h('button', { type: 'button', class: 'secondary', onclick: () => {
    paused = !paused;
    missed = 0;
    pause.textContent = paused ? 'Resume' : 'Pause';
    state.textContent = paused ? 'paused: new decisions are not shown' : 'live';
  } }, 'Pause');
  const rows = h('tbody');
  replace(root,
    h('h1', {}, 'Live routing'),
    h('p', { class: 'muted' }, 'Each event as this node routes it: the queues it went to and the interest that took it, or that no queue wanted it.'),
    h('form', { class: 'row', role: 'search', 'aria-label': 'Filter live routing', onsubmit: (e) => { e.preventDefault(); go({ queue: queueInput.value.trim(), publisher: publisherInput.value.trim() }); } },
      field('Queue', queueInput), field('Publisher', publisherInput), h('button', { type: 'submit', class: 'look' }, 'Filter')),
    h('div', { class: 'row' }, pause, state),
    h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Event', 'Publisher', 'Went to'].map((t) => h('th', { scope: 'col' }, t)))), rows));

  const show = (d) => {
    // Counted, so that whoever resumes knows what they did not see.
    if (paused) { missed++; state.textContent = `paused: ${missed} new decision${missed === 1 ? '' : 's'} not shown`; return; }
    rows.prepend(h('tr', {},
      h('td', {}, time(d.at)), h('td', {}, h('code', {}, d.eventId)), h('td', {}, d.publisher),
      h('td', {}, d.unrouted ? h('span', { class: 'tag warn' }, 'no queue wanted it')
        : d.queues.map((q, i) => [i ? '; ' : '', h('a', { href: hrefQueue(q.queue) }, q.queue), ' ', h('mark', {}, matchText(q.interest))]))));
    while (rows.children.length > KEEP) rows.lastChild.remove();
  };

  // fetch, not EventSource: the token goes in a header, never in the URL.
  const stop = new AbortController();
  (async () => {
    const t = token.get();
    const res = await fetch(`/tap${qs(filter)}`, { headers: t ? { authorization: `Bearer ${t}` } : {}, signal: stop.signal });
    if (!res.ok) { state.textContent = `not live: ${(await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`}`; return; }
    state.textContent = 'live';
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const data = buf.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        buf = buf.slice(end + 2);
        if (data) show(JSON.parse(data));
      }
    }
    state.textContent = 'the stream ended (the broker stopped?): reload to listen again';
  })().catch((e) => { if (!stop.signal.aborted) state.textContent = `not live: ${e.message}`; });
  return { destroy: () => stop.abort() };
}
