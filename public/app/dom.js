// Builds DOM from data. Every string becomes a text node: nothing a publisher sends (payloads, queue
// names, failure reasons) is ever parsed as HTML. There is no innerHTML anywhere in the page.

/** h('a', {href, class, onclick}, child...) — children are nodes, strings, numbers, arrays or null. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A labelled control: the label names it for screen readers and clicks focus it. */
let ids = 0;
export function field(labelText, control, hint) {
  if (!control.id) control.id = `f${++ids}`;
  return h('label', { for: control.id }, labelText, control, hint ? h('span', { class: 'muted' }, hint) : null);
}

/** #/queue/<name>: names may hold any character but ',' '*' and controls, so they are encoded. */
export const hrefQueue = (name) => `#/queue/${encodeURIComponent(name)}`;
export const hrefTask = (id) => `#/task/${encodeURIComponent(id)}`;

export function time(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const d = new Date(seconds * 1000);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, d.toLocaleString());
}

export function ago(seconds) {
  if (!seconds) return '—';
  const s = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  const text = s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
  return h('time', { datetime: new Date(seconds * 1000).toISOString() }, text);
}

export const pretty = (v) => h('pre', {}, JSON.stringify(v, null, 2));

/** A table's rows, or one row across all its columns saying why there are none. */
export const rowsOrEmpty = (rows, columns, text) => (rows.length ? rows : [h('tr', {}, h('td', { colspan: columns, class: 'muted' }, text))]);

/** The page offset of a view's URL (?offset=), 0 when absent or not a number. */
export const offsetOf = (query) => Math.max(0, Number(query.get('offset') ?? 0) || 0);

/** Back / forward over server-side pages (newest-first lists by default). go(offset) changes the
 *  URL, so the page is linkable. */
export function pager(total, offset, limit, go, labels = ['← Newer', 'Older →']) {
  const last = Math.min(total, offset + limit);
  return h('div', { class: 'pager' },
    h('button', { class: 'secondary look', type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, labels[0]),
    h('span', {}, total === 0 ? 'none' : `${offset + 1}–${last} of ${total}`),
    h('button', { class: 'secondary look', type: 'button', disabled: last >= total, onclick: () => go(offset + limit) }, labels[1]));
}

/** A notice under the header: what an action did, or why it failed. */
export function notify(text, kind = 'ok') {
  const el = document.getElementById('notice');
  el.className = kind === 'error' ? 'error' : '';
  el.textContent = text;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { el.textContent = ''; }, kind === 'error' ? 12000 : 5000);
}

/** Parses a JSON textarea; marks it invalid and returns undefined when it does not parse. */
export function jsonOf(textarea, wantObject = true) {
  try {
    const v = JSON.parse(textarea.value);
    if (wantObject && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new Error('must be a JSON object');
    textarea.classList.remove('invalid');
    textarea.setCustomValidity('');
    return v;
  } catch (e) {
    textarea.classList.add('invalid');
    textarea.setCustomValidity(e.message);
    return undefined;
  }
}
