// Pieces several views share.
import { h, notify } from '../dom.js';

/** Runs an action against the API and says what happened; returns its answer (undefined on error). */
export async function act(work, okText) {
  try {
    const answer = await work();
    notify(typeof okText === 'function' ? okText(answer) : okText);
    return answer;
  } catch (e) {
    notify(e.message, 'error');
    return undefined;
  }
}

export const STATES = ['ready', 'scheduled', 'started', 'failed', 'succeeded', 'cancelled'];

/** A queue's hold, in words: why it hands out nothing now. */
export function heldTag(heldBy) {
  if (!heldBy) return null;
  return h('span', { class: 'tag warn', title: 'the queue hands out nothing now' }, `held: ${heldBy}`);
}

/** A table whose head is a list of column names ('#'-prefixed names are numbers). */
export function table(columns, rows, caption) {
  return h('div', { class: 'scroll' }, h('table', {},
    caption ? h('caption', { class: 'muted caption-left' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.startsWith('#') ? 'num' : null }, c.replace(/^#/, ''))))),
    h('tbody', {}, rows)));
}

export const num = (n) => h('td', { class: 'num' }, n ?? 0);
